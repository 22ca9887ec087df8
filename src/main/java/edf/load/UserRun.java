package edf.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Virtual users: each signs in, opens its windows (sockets), optionally subscribes, and is then
 * picked at random to send create, update, toggle and delete commands at the configured total
 * rate, through the retry policy with one Idempotency-Key per command. Everything runs on Pekko
 * Streams and futures: no thread per user.
 */
final class UserRun {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final LoadSettings settings;
  private final ActorSystem<?> system;
  private final org.apache.pekko.stream.Materializer materializer;
  private final Http http;
  private final String wsBase;
  private final Metrics metrics;
  private final Verifier verifier;
  private final RetryPolicy policy;
  private final String runId = Long.toString(System.currentTimeMillis() % 100000, 36);
  private final AtomicReferenceArray<User> ready;
  private final AtomicInteger readyCount = new AtomicInteger();
  private final AtomicReferenceArray<String> tokens;
  /** Completing one of these with empty closes that socket. */
  private final List<CompletableFuture<java.util.Optional<Message>>> sockets =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** One virtual user and the todos it created and has not deleted. */
  private static final class User {
    final int index;
    final String token;
    final List<String> todos = new ArrayList<>();

    User(int index, String token) {
      this.index = index;
      this.token = token;
    }

    synchronized String randomTodo(boolean remove) {
      if (todos.isEmpty()) return null;
      int i = ThreadLocalRandom.current().nextInt(todos.size());
      return remove ? todos.remove(i) : todos.get(i);
    }

    synchronized void add(String id) {
      todos.add(id);
    }
  }

  UserRun(LoadSettings settings, ActorSystem<?> system, String base, Metrics metrics, Verifier verifier) {
    this.settings = settings;
    this.system = system;
    this.materializer = org.apache.pekko.stream.Materializer.matFromSystem(system);
    this.http = new Http(system, base, settings.requestTimeout());
    this.wsBase = base.replaceFirst("^http", "ws");
    this.metrics = metrics;
    this.verifier = verifier;
    this.policy = new RetryPolicy(settings.maxAttempts(), settings.baseBackoff(), settings.maxBackoff());
    this.ready = new AtomicReferenceArray<>(settings.users());
    this.tokens = new AtomicReferenceArray<>(settings.users());
  }

  /** Ramps the users up, sends commands until the duration is over, then waits for outcomes. */
  CompletionStage<Done> run() {
    long deadline = System.nanoTime() + settings.duration().toNanos();
    CompletionStage<Done> ramp =
        Source.range(0, settings.users() - 1)
            .throttle((int) Math.max(1, settings.rampPerSecond()), Duration.ofSeconds(1))
            .takeWhile(i -> System.nanoTime() < deadline)
            .mapAsyncUnordered(64, this::startUser)
            .runWith(Sink.ignore(), system);
    int perSecond = (int) Math.max(1, Math.round(settings.commandRate()));
    CompletionStage<Done> commands =
        Source.repeat(NotUsed.notUsed())
            .throttle(perSecond, Duration.ofSeconds(1))
            .takeWhile(x -> System.nanoTime() < deadline)
            // the rate grows with the users that are ready, as it would with real people arriving
            .filter(x -> ThreadLocalRandom.current().nextInt(settings.users()) < readyCount.get())
            .mapAsyncUnordered(4096, x -> sendOne())
            .runWith(Sink.ignore(), system);
    return ramp.thenCombine(commands, (a, b) -> Done.getInstance());
  }

  void closeSockets() {
    sockets.forEach(close -> close.complete(java.util.Optional.empty()));
  }

  private CompletionStage<Done> startUser(int index) {
    String userId = "vu" + runId + "-" + index;
    return http.withRetries(policy, HttpMethods.POST, "/api/session", null, "{\"userId\":\"" + userId + "\"}", List.of(), () -> {}, () -> {})
        .thenCompose(reply -> {
          if (reply.status() != 200) {
            metrics.socketFailures.increment();
            return CompletableFuture.completedFuture(Done.getInstance());
          }
          User user = new User(index, reply.json().get("token").asText());
          tokens.set(index, user.token);
          List<CompletableFuture<Boolean>> windows = new ArrayList<>();
          for (int w = 0; w < settings.windows(); w++) windows.add(openWindow(user, w).toCompletableFuture());
          return CompletableFuture.allOf(windows.toArray(CompletableFuture[]::new)).thenApply(x -> {
            if (windows.stream().allMatch(CompletableFuture::join)) {
              ready.set(readyCount.getAndIncrement(), user);
              metrics.usersReady.increment();
            }
            return Done.getInstance();
          });
        });
  }

  /** Opens one window's socket; completes with true once the server's `welcome` arrived. */
  private CompletionStage<Boolean> openWindow(User user, int window) {
    CompletableFuture<Boolean> welcomed = new CompletableFuture<>();
    return http.withRetries(policy, HttpMethods.POST, "/api/ws-ticket", user.token, null, List.of(), () -> {}, () -> {})
        .thenCompose(ticket -> {
          if (ticket.status() != 200) return CompletableFuture.completedFuture(false);
          long[] lastSeq = {-1};
          Sink<Message, CompletionStage<Done>> in =
              Flow.<Message>create()
                  .mapAsync(1, m -> m.asTextMessage().toStrict(5000, materializer))
                  .toMat(Sink.foreach(m -> onMessage(user, window, ((TextMessage) m).getStrictText(), lastSeq, welcomed)), Keep.right());
          Source<Message, CompletableFuture<java.util.Optional<Message>>> out =
              Source.<Message>maybe().prepend(Source.from(subscriptions()));
          Flow<Message, Message, CompletableFuture<java.util.Optional<Message>>> flow =
              Flow.fromSinkAndSourceMat(in, out, Keep.right());
          Pair<CompletionStage<org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse>, CompletableFuture<java.util.Optional<Message>>> pair =
              org.apache.pekko.http.javadsl.Http.get(system).singleWebSocketRequest(
                  WebSocketRequest.create(wsBase + "/ws?ticket=" + ticket.json().get("ticket").asText()), flow, materializer);
          sockets.add(pair.second());
          return pair.first().thenComposeAsync(upgrade -> {
            if (upgrade.response().status().intValue() != 101) {
              metrics.socketFailures.increment();
              return CompletableFuture.completedFuture(false);
            }
            metrics.socketsOpen.increment();
            return welcomed.completeOnTimeout(false, 20, java.util.concurrent.TimeUnit.SECONDS);
          }, system.executionContext()).exceptionally(failure -> {
            metrics.socketFailures.increment();
            return false;
          });
        });
  }

  private List<Message> subscriptions() {
    List<Message> subscribe = new ArrayList<>();
    for (String topic : settings.subscribe()) subscribe.add(TextMessage.create("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}"));
    return subscribe;
  }

  private void onMessage(User user, int window, String text, long[] lastSeq, CompletableFuture<Boolean> welcomed) {
    long arrival = System.nanoTime();
    JsonNode m;
    try {
      m = MAPPER.readTree(text);
    } catch (Exception e) {
      return;
    }
    String type = m.path("type").asText();
    if (type.equals("welcome") || type.equals("resync")) {
      lastSeq[0] = m.path("seq").asLong();
      welcomed.complete(true);
    } else if (type.startsWith("command.")) {
      long seq = m.path("seq").asLong();
      verifier.outcome(user.index, window, m.path("commandId").asText(), m.path("entityId").asText(), type,
          seq, lastSeq[0], java.time.Instant.parse(m.path("timestamp").asText()).toEpochMilli(), arrival);
      lastSeq[0] = seq;
    }
  }

  /** One command by a random ready user: create (or, when it has todos, sometimes update, toggle or delete). */
  private CompletionStage<Done> sendOne() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    User user = ready.get(random.nextInt(readyCount.get()));
    if (user == null) return CompletableFuture.completedFuture(Done.getInstance());
    double dice = random.nextDouble();
    String id = dice < 0.4 ? null : user.randomTodo(dice >= 0.9);
    String method, path, body;
    if (id == null) {
      id = UUID.randomUUID().toString();
      verifier.owns(user.index, id);
      method = "POST";
      path = "/api/todos";
      body = "{\"id\":\"" + id + "\",\"text\":\"todo " + random.nextInt(1_000_000) + "\"}";
    } else if (dice >= 0.9) {
      method = "DELETE";
      path = "/api/todos/" + id;
      body = null;
    } else if (dice >= 0.65) {
      method = "PATCH";
      path = "/api/todos/" + id;
      body = "{\"completed\":" + random.nextBoolean() + "}";
    } else {
      method = "PATCH";
      path = "/api/todos/" + id;
      body = "{\"text\":\"edited " + random.nextInt(1_000_000) + "\"}";
    }
    String entityId = id;
    boolean create = method.equals("POST");
    List<HttpHeader> headers = List.of(RawHeader.create("Idempotency-Key", UUID.randomUUID().toString()));
    long sent = System.nanoTime();
    metrics.commandsSent.increment();
    return http.withRetries(policy, HttpMethods.lookup(method).get(), path, user.token, body, headers,
            metrics.retried500::increment, metrics.retriedNetwork::increment)
        .thenApply(reply -> {
          if (reply.status() == 202) {
            verifier.accepted(reply.json().get("commandId").asText(), user.index, sent, System.nanoTime());
            if (create) user.add(entityId);
          } else if (reply.status() >= 400 && reply.status() < 500) {
            metrics.rejected4xx.increment();
          } else {
            metrics.gaveUp.increment();
          }
          return Done.getInstance();
        });
  }

  /** Asks the status endpoint about a sample of commands: it must agree with what was pushed. */
  CompletionStage<Done> checkStatuses(int max) {
    return Source.from(verifier.sample(max))
        .mapAsyncUnordered(32, sampled -> statusOf(sampled.commandId(), tokens.get(sampled.user())).thenApply(status -> {
          verifier.statusChecked.increment();
          String expected = sampled.pushedType().equals("command.succeeded") ? "succeeded" : "failed";
          if (!expected.equals(status)) verifier.statusDisagreed.increment();
          return Done.getInstance();
        }))
        .runWith(Sink.ignore(), system);
  }

  private CompletionStage<String> statusOf(String commandId, String token) {
    return http.withRetries(policy, HttpMethods.GET, "/api/commands/" + commandId, token, null, List.of(), () -> {}, () -> {})
        .thenApply(r -> r.status() == 200 ? r.json().path("status").asText() : "http-" + r.status());
  }
}
