package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP contract (README.md, docs/protocol.md): sign-in and tickets, the read side, commands
 * answered with 202, command status, chaos, internal events, health, the WebSocket endpoint and
 * the browser app. The /api/todos routes go through the simulated trouble of {@link Chaos}.
 */
public final class Routes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);

  private final ActorSystem<?> system;
  private final Settings settings;
  private final Auth auth;
  private final ActorRef<Chaos.Command> chaos;
  private final ActorRef<TodoReadModel.Command> readModel;
  private final ActorRef<ConnectionRegistry.Command> registry;
  private final SocketSession.Services sessions;
  private final ClusterSharding sharding;
  private final ObjectMapper mapper;
  private final Problem problem;
  private final Requests requests;
  private final Wire wire;
  private final Duration timeout;
  private final java.util.concurrent.atomic.AtomicBoolean accepting = new java.util.concurrent.atomic.AtomicBoolean(true);

  public Routes(
      ActorSystem<?> system,
      Settings settings,
      Auth auth,
      ActorRef<Chaos.Command> chaos,
      ActorRef<TodoReadModel.Command> readModel,
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Presence.Command> presence) {
    this.system = system;
    this.settings = settings;
    this.auth = auth;
    this.chaos = chaos;
    this.readModel = readModel;
    this.registry = registry;
    this.sharding = ClusterSharding.get(system);
    this.mapper = Json.mapper(system);
    this.problem = new Problem(mapper);
    this.requests = new Requests(mapper, settings.maxTextLength());
    this.wire = new Wire(mapper);
    this.timeout = settings.askTimeout();
    this.sessions = new SocketSession.Services(registry, presence, readModel, wire, system);
  }

  /** From now on commands get 503 and /health reports the server as going away. */
  public void stopAccepting() {
    accepting.set(false);
  }

  public Route route() {
    return handleExceptions(
        exceptionHandler(),
        () ->
            concat(
                pathPrefix("api", () -> withProblems(this::api)),
                path("ws", this::webSocket),
                pathPrefix("internal", () -> withProblems(this::internal)),
                path("health", () -> withProblems(() -> get(this::health))),
                get(this::browserApp)));
  }

  // ---- errors ----

  private Route withProblems(Supplier<Route> inner) {
    return handleRejections(
        RejectionHandler.defaultHandler().mapRejectionResponse(problem::fromResponse), inner);
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(Problem.InvalidRequest.class, e -> complete(problem.invalid(e.error())))
        .match(
            IllegalRequestException.class,
            // a body without Content-Length that grows past the limit ends here as "Request too large"
            e -> complete(e.info().summary().contains("too large") ? tooLarge()
                : problem.of(e.status(), Problem.typeFor(e.status()), e.info().summary())))
        .match(EntityStreamSizeException.class, e -> complete(tooLarge()))
        .match(
            java.util.concurrent.TimeoutException.class,
            e -> unavailable(e))
        .matchAny(
            e -> {
              log.error("Request failed", e);
              return complete(problem.of(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "The server failed to handle the request"));
            })
        .build();
  }

  private Route health() {
    return accepting.get()
        ? complete(StatusCodes.OK, "ok")
        : complete(problem.of(StatusCodes.SERVICE_UNAVAILABLE, "shutting-down", "The server is shutting down"));
  }

  private Route unavailable(Throwable failure) {
    log.warn("Request could not be completed: {}", failure.toString());
    return complete(
        problem.of(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "The server is busy; try again later"));
  }

  // ---- /api ----

  private Route api() {
    return concat(
        path("session", () -> withProblems(() -> post(() -> jsonBody(body -> signIn(requests.signIn(body)))))),
        authenticated(
            userId ->
                concat(
                    path("ws-ticket", () -> post(() -> issueTicket(userId))),
                    pathPrefix("todos", () -> todos(userId)),
                    path(PathMatchers.segment("commands").slash(PathMatchers.segment()), id -> get(() -> commandStatus(userId, id))),
                    path("chaos", () -> concat(get(this::getChaos), put(this::putChaos))))));
  }

  private Route signIn(Requests.SignIn signIn) {
    Auth.Issued token = auth.issueToken(signIn.userId());
    return ok(Map.of("userId", signIn.userId(), "token", token.value(), "expiresAt", Json.timestamp(token.expiresAt())));
  }

  private Route issueTicket(String userId) {
    Auth.Issued ticket = auth.issueTicket(userId);
    return ok(Map.of("ticket", ticket.value(), "expiresAt", Json.timestamp(ticket.expiresAt())));
  }

  private Route authenticated(Function<String, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          Optional<Auth.Claims> claims =
              header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).flatMap(h -> auth.verifyToken(h.substring(7).trim()));
          if (claims.isEmpty()) {
            return complete(
                problem
                    .of(StatusCodes.UNAUTHORIZED, "unauthorized", "A valid `Authorization: Bearer <token>` from POST /api/session is required")
                    .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "edf"))));
          }
          return inner.apply(claims.get().userId());
        });
  }

  private Route todos(String userId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> flaky(dice -> onSuccess(ask(readModel, TodoReadModel.GetAll::new), list -> ok(list)))),
                    post(
                        () ->
                            jsonBody(
                                body -> {
                                  Requests.Create create = requests.create(body);
                                  String id = create.id() != null ? create.id() : UUID.randomUUID().toString();
                                  return command(userId, "POST /api/todos " + canonical(body), dice -> newCommand(TodoCommand.Type.CREATE, id, userId, create.text(), null, null, dice));
                                })))),
        path(
            PathMatchers.segment(),
            rawId ->
                concat(
                    get(() -> {
                      String id = Requests.uuid("id", rawId);
                      return flaky(dice -> onSuccess(ask(readModel, (ActorRef<Optional<Todo>> r) -> new TodoReadModel.Get(id, r)),
                          todo -> todo.map(this::ok).orElseGet(() -> complete(problem.of(StatusCodes.NOT_FOUND, "not-found", "No todo with id " + id)))));
                    }),
                    patch(
                        () -> {
                          String id = Requests.uuid("id", rawId);
                          return jsonBody(
                              body -> {
                                Requests.Update update = requests.update(body);
                                return command(userId, "PATCH " + id + " " + canonical(body),
                                    dice -> newCommand(TodoCommand.Type.UPDATE, id, userId, update.text(), update.completed(), update.expectedVersion(), dice));
                              });
                        }),
                    delete(
                        () -> {
                          String id = Requests.uuid("id", rawId);
                          return parameterOptional(
                              "expectedVersion",
                              raw -> {
                                Long expected = raw.map(v -> Requests.version("expectedVersion", v)).orElse(null);
                                return command(userId, "DELETE " + id + " " + expected,
                                    dice -> newCommand(TodoCommand.Type.DELETE, id, userId, null, null, expected, dice));
                              });
                        }))));
  }

  private static TodoCommand newCommand(
      TodoCommand.Type type, String id, String userId, String text, Boolean completed, Long expectedVersion, Chaos.Dice dice) {
    return new TodoCommand(
        UUID.randomUUID().toString(), type, id, userId, text, completed, expectedVersion,
        dice.processingDelayMs(), dice.processingFailure(), Instant.now());
  }

  /**
   * Accepts a command through the user's ledger (exactly once per Idempotency-Key) and answers 202,
   * or, when the dice say the response is lost, 500 although the command was accepted.
   */
  private Route command(String userId, String request, Function<Chaos.Dice, TodoCommand> build) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        key -> {
          if (key.isPresent() && (key.get().isEmpty() || key.get().length() > 128))
            throw new Problem.InvalidRequest("Idempotency-Key", "must be 1 to 128 characters");
          String fingerprint = sha256(request);
          if (!accepting.get()) {
            return complete(problem.of(StatusCodes.SERVICE_UNAVAILABLE, "shutting-down",
                "The server is shutting down and accepts no commands; retry against another node or later"));
          }
          return flaky(
              dice -> {
                TodoCommand command = build.apply(dice);
                EntityRef<UserLedger.Command> ledger = sharding.entityRefFor(UserLedger.ENTITY_TYPE_KEY, userId);
                CompletionStage<StatusReply<UserLedger.Receipt>> reply =
                    ledger.ask(r -> new UserLedger.Accept(command, key.orElse(null), fingerprint, r), timeout);
                return onComplete(
                    reply,
                    result -> {
                      if (result.isFailure()) return unavailable(result.failed().get());
                      StatusReply<UserLedger.Receipt> status = result.get();
                      if (status.isError()) {
                        return complete(problem.of(StatusCodes.UNPROCESSABLE_ENTITY, "idempotency-key-reused",
                            "This Idempotency-Key was already used for a different request"));
                      }
                      if (dice.lostResponse()) {
                        return complete(problem.of(StatusCodes.INTERNAL_SERVER_ERROR, "lost-response",
                            "Simulated failure after the command was accepted: retry with the same Idempotency-Key"));
                      }
                      UserLedger.Receipt receipt = status.getValue();
                      return respondWithHeader(
                          Location.create("/api/commands/" + receipt.commandId()),
                          () -> complete(StatusCodes.ACCEPTED, receipt, Jackson.marshaller(mapper)));
                    });
              });
        });
  }

  private Route commandStatus(String userId, String commandId) {
    EntityRef<UserLedger.Command> ledger = sharding.entityRefFor(UserLedger.ENTITY_TYPE_KEY, userId);
    CompletionStage<StatusReply<UserLedger.CommandStatus>> reply =
        ledger.ask(r -> new UserLedger.GetStatus(commandId, r), timeout);
    return onComplete(
        reply,
        result -> {
          if (result.isFailure()) return unavailable(result.failed().get());
          if (result.get().isError())
            return complete(problem.of(StatusCodes.NOT_FOUND, "not-found", "No command " + commandId + " of yours is known"));
          return ok(result.get().getValue());
        });
  }

  /**
   * The simulated flaky network of the /api/todos routes: a random delay, then maybe a 500 before
   * anything is accepted.
   */
  private Route flaky(Function<Chaos.Dice, Route> inner) {
    return onSuccess(
        ask(chaos, Chaos.Roll::new),
        dice -> {
          if (dice.httpDelayMs() <= 0) return failOrHandle(dice, inner);
          CompletionStage<Chaos.Dice> delayed =
              Patterns.after(
                  Duration.ofMillis(dice.httpDelayMs()),
                  system.classicSystem().scheduler(),
                  system.executionContext(),
                  () -> CompletableFuture.completedFuture(dice));
          return onSuccess(delayed, d -> failOrHandle(d, inner));
        });
  }

  private Route failOrHandle(Chaos.Dice dice, Function<Chaos.Dice, Route> inner) {
    return dice.httpFailure()
        ? complete(problem.of(StatusCodes.INTERNAL_SERVER_ERROR, "simulated-failure",
            "Simulated failure before the request was handled: nothing was accepted, retry"))
        : inner.apply(dice);
  }

  private Route getChaos() {
    return onSuccess(ask(chaos, Chaos.Get::new), this::ok);
  }

  private Route putChaos() {
    if (!settings.chaosUpdatable())
      return complete(problem.of(StatusCodes.FORBIDDEN, "chaos-locked", "Changing the chaos settings is turned off on this server"));
    return jsonBody(
        body -> {
          ChaosSettings.Patch patch = requests.chaos(body);
          return onSuccess(
              ask(chaos, (ActorRef<Chaos.Updated> r) -> new Chaos.Update(patch, r)),
              updated -> updated.error() != null ? complete(problem.invalid(updated.error())) : ok(updated.settings()));
        });
  }

  // ---- /internal ----

  private Route internal() {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          if (!ingestKeyMatches(header))
            return complete(problem.of(StatusCodes.UNAUTHORIZED, "unauthorized", "A valid ingest key is required"));
          return concat(path("events", () -> post(this::ingestEvent)), path("metrics", () -> get(this::metrics)));
        });
  }

  private Route ingestEvent() {
    return jsonBody(
        body -> {
          Requests.Event event = requests.event(body);
          sharding
              .entityRefFor(UserLedger.ENTITY_TYPE_KEY, event.userId())
              .tell(new UserLedger.Notify(wire.payload(event.payload())));
          return complete(StatusCodes.ACCEPTED, Map.of("status", "accepted"), Jackson.marshaller(mapper));
        });
  }

  /** What a capacity run reads: heap (after a GC with ?gc=true) and the sockets this node holds. */
  private Route metrics() {
    return parameterOptional(
        "gc",
        gc -> {
          // a full GC blocks: it runs on Pekko's dispatcher for blocking work, not on this one
          CompletionStage<ConnectionRegistry.Connections> connections =
              CompletableFuture.runAsync(
                      () -> { if (gc.filter("true"::equals).isPresent()) System.gc(); },
                      system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()))
                  .thenComposeAsync(done -> ask(registry, ConnectionRegistry.GetConnections::new), system.executionContext());
          return onSuccess(
              connections,
              c -> {
                Runtime runtime = Runtime.getRuntime();
                return ok(Map.of(
                    "heapUsedBytes", runtime.totalMemory() - runtime.freeMemory(),
                    "heapCommittedBytes", runtime.totalMemory(),
                    "sockets", c.sockets(),
                    "users", c.users()));
              });
        });
  }

  private boolean ingestKeyMatches(Optional<String> header) {
    String key = settings.ingestKey();
    if (key.isEmpty() || header.isEmpty()) return false;
    String expected = "Bearer " + key;
    return MessageDigest.isEqual(
        header.get().getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  // ---- /ws ----

  private Route webSocket() {
    return withProblems(
        () ->
            get(
                () ->
                    extractWebSocketUpgrade(
                        upgrade ->
                            headerValueByName("Host", host ->
                                optionalHeaderValueByName(
                                    "Origin",
                                    origin -> {
                                      if (!accepting.get())
                                        return complete(problem.of(StatusCodes.SERVICE_UNAVAILABLE, "shutting-down", "The server is shutting down; connect again later"));
                                      if (origin.isPresent() && !originAllowed(origin.get(), host))
                                        return complete(problem.of(StatusCodes.FORBIDDEN, "origin-not-allowed", "This origin may not open a WebSocket here"));
                                      return parameterOptional("ticket", ticket ->
                                          parameterOptional("epoch", epoch ->
                                              parameterOptional("lastSeq", lastSeq -> redeem(ticket, resumeFrom(epoch, lastSeq), upgrade))));
                                    })))));
  }

  /** Where a reconnecting socket left off: both `epoch` and `lastSeq`, or neither. */
  private record ResumeFrom(String epoch, Long lastSeq) {}

  private static ResumeFrom resumeFrom(Optional<String> epoch, Optional<String> lastSeq) {
    if (epoch.isPresent() != lastSeq.isPresent())
      throw new Problem.InvalidRequest(epoch.isPresent() ? "lastSeq" : "epoch", "`epoch` and `lastSeq` go together");
    if (epoch.isEmpty()) return new ResumeFrom(null, null);
    if (epoch.get().isEmpty() || epoch.get().length() > 64) throw new Problem.InvalidRequest("epoch", "must be 1 to 64 characters");
    return new ResumeFrom(epoch.get(), Requests.version("lastSeq", lastSeq.get()));
  }

  private Route redeem(
      Optional<String> ticket, ResumeFrom resume, org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade upgrade) {
    Optional<Auth.Claims> claims = ticket.flatMap(auth::verifyTicket);
    if (claims.isEmpty()) return ticketRefused();
    Auth.Claims c = claims.get();
    return onSuccess(
        sharding
            .entityRefFor(TicketRegistry.ENTITY_TYPE_KEY, TicketRegistry.bucket(c.nonce()))
            .<Boolean>ask(r -> new TicketRegistry.Redeem(c.nonce(), c.expiresAt(), r), timeout),
        fresh ->
            fresh
                ? complete(SocketSession.open(upgrade, c.userId(), resume.epoch(), resume.lastSeq(), settings, sessions))
                : ticketRefused());
  }

  private Route ticketRefused() {
    return complete(problem.of(StatusCodes.UNAUTHORIZED, "ticket-invalid",
        "A fresh ticket from POST /api/ws-ticket is required: it is missing, expired or already used"));
  }

  /** The configured origins, and the server's own origin (the Host the browser asked for). */
  private boolean originAllowed(String origin, String host) {
    if (settings.allowedOrigins().contains(origin)) return true;
    return sameHost(origin.replaceFirst("^https?://", ""), host);
  }

  private static boolean sameHost(String a, String b) {
    return a.replace("localhost", "127.0.0.1").equalsIgnoreCase(b.replace("localhost", "127.0.0.1"));
  }

  // ---- browser app ----

  private Route browserApp() {
    return concat(
        pathSingleSlash(() -> getFromResource("public/index.html")),
        getFromResourceDirectory("public"),
        getFromResource("public/index.html"));
  }

  // ---- helpers ----

  private Route jsonBody(Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          boolean tooLarge = entity.getContentLengthOption().orElse(0L) > settings.maxBodyBytes();
          return tooLarge ? complete(tooLarge()) : strictJson(inner);
        });
  }

  private HttpResponse tooLarge() {
    return problem.of(StatusCodes.PAYLOAD_TOO_LARGE, "payload-too-large",
        "The request body is larger than " + settings.maxBodyBytes() + " bytes");
  }

  private Route strictJson(Function<JsonNode, Route> inner) {
    Function<HttpEntity.Strict, Route> parsed = e -> inner.apply(requests.parse(e.getData().utf8String()));
    return extractRequestEntity(
        entity ->
            // the usual case: the body came whole with the headers (Strict.toStrict with a size
            // limit would run a stream per request to find that out)
            entity instanceof HttpEntity.Strict strict && strict.getData().size() <= settings.maxBodyBytes()
                ? parsed.apply(strict)
                : extractStrictEntity(Duration.ofSeconds(5), settings.maxBodyBytes(), parsed::apply));
  }


  private <T> Route ok(T value) {
    return complete(StatusCodes.OK, value, Jackson.marshaller(mapper));
  }

  private <T, R> CompletionStage<R> ask(ActorRef<T> target, org.apache.pekko.japi.function.Function<ActorRef<R>, T> message) {
    return AskPattern.ask(target, message, timeout, system.scheduler());
  }

  /** The request's fields in name order: a retry whose JSON lists them in another order is the same request. */
  private static String canonical(JsonNode body) {
    java.util.TreeMap<String, String> fields = new java.util.TreeMap<>();
    body.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().toString()));
    return fields.toString();
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
