package edf.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Capacity: how many idle WebSockets one server holds, and what each costs. Without a target it
 * starts the server as a child JVM (so the server's and the client's sockets count against two
 * processes' open-file limits), ramps `-Dconnections` sockets from several loopback addresses
 * (`-Daddresses`), then reads the server's heap (after a GC) and resident memory per connection.
 */
final class CapacityRun {
  private CapacityRun() {}

  static int run(LoadSettings s) throws Exception {
    String key = UUID.randomUUID().toString();
    Process child = null;
    String target = s.target();
    if (target.isEmpty()) {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Files.createDirectories(Path.of(s.reportDir()));
      child = new ProcessBuilder(List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xms512m", "-Xmx" + System.getProperty("serverHeap", "2g"),
              "-cp", projectClasspath(),
              "-Dedf.http.port=" + port, "-Dedf.auth.ingest-key=" + key, "-Dpekko.loglevel=WARNING", "edf.Main"))
          .redirectErrorStream(true)
          .redirectOutput(Path.of(s.reportDir(), "capacity-server.log").toFile())
          .start();
      final Process server = child;
      Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
      target = "http://127.0.0.1:" + port;
    } else {
      key = System.getProperty("ingestKey", "");
    }
    ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), "capacity", LoadSimulator.clientConfig());
    Http http = new Http(client, target, Duration.ofSeconds(10));
    try {
      awaitHealth(http);
      Map<String, Object> report = measure(s, client, http, target, key, child);
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.createDirectories(Path.of(s.reportDir()));
      Files.writeString(Path.of(s.reportDir(), "capacity.json"), mapper.writeValueAsString(report));
      System.out.println(mapper.writeValueAsString(report));
      return ((Number) report.get("socketsHeld")).intValue() >= s.connections() ? 0 : 1;
    } finally {
      client.terminate();
      if (child != null) child.destroy();
    }
  }

  private static Map<String, Object> measure(
      LoadSettings s, ActorSystem<Void> client, Http http, String target, String key, Process child) throws Exception {
    Map<String, Object> before = serverMemory(http, key, child);
    AtomicInteger open = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<Optional<Message>>> closers = new java.util.concurrent.CopyOnWriteArrayList<>();
    int socketsPerUser = 10;
    long start = System.nanoTime();
    Source.range(0, s.connections() - 1)
        .throttle((int) Math.max(1, s.connectPerSecond()), Duration.ofSeconds(1))
        .mapAsyncUnordered(256, i -> connect(client, http, target, i, socketsPerUser, s.addresses(), closers)
            .thenApply(ok -> {
              if (ok) open.incrementAndGet(); else failed.incrementAndGet();
              if ((open.get() + failed.get()) % 1000 == 0)
                System.out.printf(Locale.ROOT, "capacity: %d open, %d failed, %.0f s%n", open.get(), failed.get(), (System.nanoTime() - start) / 1e9);
              return Done.getInstance();
            }))
        .runWith(Sink.ignore(), client)
        .toCompletableFuture().get(30, TimeUnit.MINUTES);
    double rampSeconds = (System.nanoTime() - start) / 1e9;
    Thread.sleep(s.hold().toMillis());
    Map<String, Object> after = serverMemory(http, key, child);
    Runtime clientRuntime = Runtime.getRuntime();
    System.gc();
    long clientHeap = clientRuntime.totalMemory() - clientRuntime.freeMemory();

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("target", target);
    r.put("requested", s.connections());
    r.put("opened", open.get());
    r.put("failed", failed.get());
    r.put("loopbackAddresses", s.addresses());
    r.put("rampSeconds", rampSeconds);
    r.put("heldFor", s.hold().toString());
    r.put("socketsHeld", after.getOrDefault("sockets", open.get()));
    r.put("serverBefore", before);
    r.put("serverAfter", after);
    long held = ((Number) r.get("socketsHeld")).longValue();
    if (held > 0 && before.containsKey("heapUsedBytes") && after.containsKey("heapUsedBytes")) {
      r.put("serverHeapBytesPerConnection", (((Number) after.get("heapUsedBytes")).longValue() - ((Number) before.get("heapUsedBytes")).longValue()) / held);
    }
    if (held > 0 && before.containsKey("rssBytes") && after.containsKey("rssBytes")) {
      r.put("serverRssBytesPerConnection", (((Number) after.get("rssBytes")).longValue() - ((Number) before.get("rssBytes")).longValue()) / held);
    }
    r.put("clientHeapBytes", clientHeap);
    closers.forEach(c -> c.complete(Optional.empty()));
    return r;
  }

  /** One idle socket: sign in (one user per `perUser` sockets), a ticket, then the upgrade. */
  private static CompletionStage<Boolean> connect(ActorSystem<Void> client, Http http, String target, int i, int perUser,
      int addresses, List<CompletableFuture<Optional<Message>>> closers) {
    String userId = "cap-" + (i / perUser);
    List<HttpHeader> none = List.of();
    return http.send(HttpMethods.POST, "/api/session", null, "{\"userId\":\"" + userId + "\"}", none)
        .thenCompose(session -> session.status() != 200 ? CompletableFuture.completedFuture(null)
            : http.send(HttpMethods.POST, "/api/ws-ticket", session.json().get("token").asText(), null, none))
        .thenCompose(ticket -> {
          if (ticket == null || ticket.status() != 200) return CompletableFuture.completedFuture(false);
          InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + i % addresses), 0);
          ClientConnectionSettings settings = ClientConnectionSettings.create(client.classicSystem()).withLocalAddress(Optional.of(local));
          Flow<Message, Message, CompletableFuture<Optional<Message>>> flow =
              Flow.fromSinkAndSourceMat(Sink.<Message>foreach(m -> {
                    if (!m.isStrict()) m.asTextMessage().getStreamedText().runWith(Sink.ignore(), client);
                  }), Source.<Message>maybe(), Keep.right());
          var pair = org.apache.pekko.http.javadsl.Http.get(client).singleWebSocketRequest(
              WebSocketRequest.create(target.replaceFirst("^http", "ws") + "/ws?ticket=" + ticket.json().get("ticket").asText()),
              flow, ConnectionContext.noEncryption(), Optional.empty(), settings,
              Logging.getLogger(client.classicSystem(), CapacityRun.class), Materializer.matFromSystem(client));
          closers.add(pair.second());
          return pair.first().thenApplyAsync(u -> u.response().status().intValue() == 101, client.executionContext()).exceptionally(f -> false);
        });
  }

  private static Map<String, Object> serverMemory(Http http, String key, Process child) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!key.isEmpty()) {
      Http.Reply reply = http.send(HttpMethods.GET, "/internal/metrics?gc=true", key, null, List.of()).toCompletableFuture().get();
      if (reply.status() == 200) {
        JsonNode json = reply.json();
        m.put("heapUsedBytes", json.get("heapUsedBytes").asLong());
        m.put("sockets", json.get("sockets").asInt());
      }
    }
    if (child != null) {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(child.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) m.put("rssBytes", Long.parseLong(line.replaceAll("\\D", "")) * 1024);
      }
    }
    return m;
  }

  private static void awaitHealth(Http http) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (http.send(HttpMethods.GET, "/health", null, null, List.of()).toCompletableFuture().get().status() == 200) return;
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not become healthy");
  }

  /** Under `mvn exec:java` the project's classes come from a class loader, not java.class.path. */
  private static String projectClasspath() {
    List<String> entries = new ArrayList<>();
    if (CapacityRun.class.getClassLoader() instanceof URLClassLoader loader) {
      for (URL url : loader.getURLs()) entries.add(new File(url.getPath()).getPath());
    }
    return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
  }
}
