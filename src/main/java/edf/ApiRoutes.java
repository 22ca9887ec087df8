package edf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.Link;
import org.apache.pekko.http.javadsl.model.headers.LinkParams;
import org.apache.pekko.http.javadsl.model.headers.LinkValue;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;

/**
 * /api, the public contract (README.md, docs/protocol.md): who the caller is (a demo sign-in or the
 * identity provider's JWT, by edf.auth.mode) and tickets, the read side,
 * commands answered with 202 through the user's ledger, and command status. The /api/todos routes
 * go through the simulated trouble of {@link ChaosRoutes#flaky}.
 */
final class ApiRoutes extends RouteSupport {
  private final Auth auth;
  private final ChaosRoutes chaos;
  private final ActorRef<TodoReadModel.Command> readModel;
  private final ClusterSharding sharding;
  private final BooleanSupplier accepting;
  private final Optional<JwtVerifier> jwt;
  /** Commands per user, on this node (edf.limits.commands). */
  private final RateLimiter commands;

  ApiRoutes(
      ActorSystem<?> system,
      Settings settings,
      Auth auth,
      ChaosRoutes chaos,
      ActorRef<TodoReadModel.Command> readModel,
      BooleanSupplier accepting) {
    super(system, settings);
    this.auth = auth;
    this.chaos = chaos;
    this.readModel = readModel;
    this.sharding = ClusterSharding.get(system);
    this.accepting = accepting;
    this.jwt = settings.authMode() == Settings.AuthMode.JWT ? Optional.of(new JwtVerifier(settings.jwt())) : Optional.empty();
    this.commands = new RateLimiter(settings.limits().commands());
  }

  Route route() {
    return concat(
        path("session", () -> withProblems(this::session)),
        authenticated(
            caller ->
                concat(
                    path("ws-ticket", () -> post(() -> issueTicket(caller.userId()))),
                    pathPrefix("todos", () -> todos(caller.userId())),
                    path(PathMatchers.segment("commands").slash(PathMatchers.segment()), id -> get(() -> commandStatus(caller.userId(), id))),
                    chaos.route(caller))));
  }

  /** Sign-in by name, in demo mode only: with JWTs the identity provider signs users in. */
  private Route session() {
    if (settings.authMode() == Settings.AuthMode.JWT) {
      return complete(problem.of(StatusCodes.NOT_FOUND, "not-found",
          "There is no sign-in by name on this server: send the identity provider's JWT as `Authorization: Bearer <jwt>`"));
    }
    return post(() -> jsonBody(body -> signIn(requests.signIn(body))));
  }

  private Route signIn(Requests.SignIn signIn) {
    Auth.Issued token = auth.issueToken(signIn.userId());
    return ok(Map.of("userId", signIn.userId(), "token", token.value(), "expiresAt", Json.timestamp(token.expiresAt())));
  }

  /** A ticket is always the server's own (signed by {@link Auth}), whoever vouched for the user. */
  private Route issueTicket(String userId) {
    Auth.Issued ticket = auth.issueTicket(userId);
    return ok(Map.of("ticket", ticket.value(), "expiresAt", Json.timestamp(ticket.expiresAt())));
  }

  /** The caller named by `Authorization: Bearer`: a demo session token or a JWT, by edf.auth.mode; else 401. */
  private Route authenticated(Function<Identity, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          Optional<Identity> caller =
              header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).flatMap(h -> identify(h.substring(7).trim()));
          if (caller.isEmpty()) {
            return complete(
                problem
                    .of(StatusCodes.UNAUTHORIZED, "unauthorized", settings.authMode() == Settings.AuthMode.JWT
                        ? "A valid `Authorization: Bearer <jwt>` from the identity provider is required"
                        : "A valid `Authorization: Bearer <token>` from POST /api/session is required")
                    .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "edf"))));
          }
          return inner.apply(caller.get());
        });
  }

  private Optional<Identity> identify(String bearer) {
    return switch (settings.authMode()) {
      case DEMO -> auth.verifyToken(bearer).map(claims -> new Identity(claims.userId(), Set.of()));
      case JWT -> jwt.orElseThrow().verify(bearer);
    };
  }

  private Route todos(String userId) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> listTodos()),
                    post(
                        () ->
                            jsonBody(
                                body -> {
                                  Requests.Create create = requests.create(body);
                                  String id = create.id() != null ? create.id() : UUID.randomUUID().toString();
                                  return command(userId, "POST /api/todos " + canonical(body), true, dice -> newCommand(TodoCommand.Type.CREATE, id, userId, create.text(), null, null, dice));
                                })))),
        path(
            PathMatchers.segment(),
            rawId ->
                concat(
                    get(() -> {
                      String id = Requests.uuid("id", rawId);
                      return chaos.flaky(dice -> onSuccess(ask(readModel, (ActorRef<Optional<Todo>> r) -> new TodoReadModel.Get(id, r)),
                          todo -> todo.map(this::ok).orElseGet(() -> complete(problem.of(StatusCodes.NOT_FOUND, "not-found", "No todo with id " + id)))));
                    }),
                    patch(
                        () -> {
                          String id = Requests.uuid("id", rawId);
                          return jsonBody(
                              body -> {
                                Requests.Update update = requests.update(body);
                                return command(userId, "PATCH " + id + " " + canonical(body), false,
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
                                return command(userId, "DELETE " + id + " " + expected, false,
                                    dice -> newCommand(TodoCommand.Type.DELETE, id, userId, null, null, expected, dice));
                              });
                        }))));
  }

  /**
   * GET /api/todos: one page (`limit`, default and maximum from edf.limits) after `cursor`, as a JSON
   * array; when more follow, `Link: </api/todos?limit=N&cursor=C>; rel=next` (RFC 8288).
   */
  private Route listTodos() {
    return parameterOptional("limit", rawLimit -> parameterOptional("cursor", rawCursor -> {
      int limit = rawLimit.map(ApiRoutes::pageLimit).orElse(settings.limits().pageSize());
      if (limit > settings.limits().maxPageSize())
        throw new Problem.InvalidRequest("limit", "must be an integer from 1 to " + settings.limits().maxPageSize());
      TodoReadModel.Position after = rawCursor.map(TodoReadModel.Position::fromCursor).orElse(null);
      return chaos.flaky(dice -> onSuccess(
          ask(readModel, (ActorRef<TodoReadModel.Page> r) -> new TodoReadModel.GetPage(after, limit, r)),
          page -> page.next() == null
              ? ok(page.todos())
              : respondWithHeader(
                  Link.create(LinkValue.create(
                      Uri.create("/api/todos?limit=" + limit + "&cursor=" + page.next().cursor()), LinkParams.next)),
                  () -> ok(page.todos()))));
    }));
  }

  private static int pageLimit(String raw) {
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1) return limit;
    } catch (NumberFormatException e) {
      // the 400 below
    }
    throw new Problem.InvalidRequest("limit", "must be an integer from 1 to the maximum page size");
  }

  private static TodoCommand newCommand(
      TodoCommand.Type type, String id, String userId, String text, Boolean completed, Long expectedVersion, Chaos.Dice dice) {
    return new TodoCommand(
        UUID.randomUUID().toString(), type, id, userId, text, completed, expectedVersion,
        dice.processingDelayMs(), dice.processingFailure(), Instant.now());
  }

  /**
   * Accepts a command through the user's ledger (exactly once per Idempotency-Key) and answers 202,
   * or, when the dice say the response is lost, 500 although the command was accepted. Limited per
   * user (edf.limits.commands); a `create` also by the todo limits, which the ledger applies to new
   * commands only (a retry of an accepted create still gets its 202).
   */
  private Route command(String userId, String request, boolean create, Function<Chaos.Dice, TodoCommand> build) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        key -> {
          if (key.isPresent() && (key.get().isEmpty() || key.get().length() > 128))
            throw new Problem.InvalidRequest("Idempotency-Key", "must be 1 to 128 characters");
          String fingerprint = sha256(request);
          if (!accepting.getAsBoolean()) {
            return complete(problem.of(StatusCodes.SERVICE_UNAVAILABLE, "shutting-down",
                "The server is shutting down and accepts no commands; retry against another node or later"));
          }
          return limited(commands, userId, "too-many-commands", "commands of yours a second", () -> chaos.flaky(
              dice -> {
                TodoCommand command = build.apply(dice);
                EntityRef<UserLedger.Command> ledger = sharding.entityRefFor(UserLedger.ENTITY_TYPE_KEY, userId);
                CompletionStage<String> refusal = create
                    ? ask(readModel, (ActorRef<TodoReadModel.Counts> r) -> new TodoReadModel.GetCounts(userId, r)).thenApply(this::todoLimit)
                    : java.util.concurrent.CompletableFuture.completedFuture(null);
                CompletionStage<StatusReply<UserLedger.Receipt>> reply = refusal.thenCompose(refused ->
                    ledger.ask(r -> new UserLedger.Accept(command, key.orElse(null), fingerprint, refused, r), timeout));
                return onComplete(
                    reply,
                    result -> {
                      if (result.isFailure()) return unavailable(result.failed().get());
                      StatusReply<UserLedger.Receipt> status = result.get();
                      if (status.isError()) return refused(status.getError().getMessage());
                      if (dice.lostResponse()) {
                        return complete(problem.of(StatusCodes.INTERNAL_SERVER_ERROR, "lost-response",
                            "Simulated failure after the command was accepted: retry with the same Idempotency-Key"));
                      }
                      UserLedger.Receipt receipt = status.getValue();
                      return respondWithHeader(
                          Location.create("/api/commands/" + receipt.commandId()),
                          () -> complete(StatusCodes.ACCEPTED, receipt, Jackson.marshaller(mapper)));
                    });
              }));
        });
  }

  /** Whether one more todo would break a todo limit: the limit's problem type, or null. */
  private String todoLimit(TodoReadModel.Counts counts) {
    if (counts.todos() >= settings.limits().todos()) return TOO_MANY_TODOS;
    if (counts.ofUser() >= settings.limits().todosPerUser()) return TOO_MANY_TODOS_PER_USER;
    return null;
  }

  private static final String TOO_MANY_TODOS = "too-many-todos";
  private static final String TOO_MANY_TODOS_PER_USER = "too-many-todos-per-user";

  /**
   * Todos are counted down only when deleted, so the wait is a guess; a full queue drains a command
   * at a time (each waits its processing delay).
   */
  private static final long TODO_LIMIT_RETRY_AFTER_SECONDS = 60;
  private static final long QUEUE_FULL_RETRY_AFTER_SECONDS = 1;

  /** The ledger's answer when it accepted nothing. */
  private Route refused(String reason) {
    return switch (reason) {
      case UserLedger.QUEUE_FULL -> tooMany("queue-full",
          "This todo already has " + settings.limits().queuedPerTodo() + " commands waiting; nothing was accepted, try again shortly",
          QUEUE_FULL_RETRY_AFTER_SECONDS);
      case TOO_MANY_TODOS -> tooMany(TOO_MANY_TODOS,
          "There are " + settings.limits().todos() + " todos already; nothing was accepted, delete some first", TODO_LIMIT_RETRY_AFTER_SECONDS);
      case TOO_MANY_TODOS_PER_USER -> tooMany(TOO_MANY_TODOS_PER_USER,
          "You have created " + settings.limits().todosPerUser() + " todos already; nothing was accepted, delete some of yours first",
          TODO_LIMIT_RETRY_AFTER_SECONDS);
      case UserLedger.KEY_REUSED -> complete(problem.of(StatusCodes.UNPROCESSABLE_ENTITY, "idempotency-key-reused",
          "This Idempotency-Key was already used for a different request"));
      default -> throw new IllegalStateException("unknown refusal from the ledger: " + reason);
    };
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

  /** The request's fields in name order: a retry whose JSON lists them in another order is the same request. */
  private static String canonical(com.fasterxml.jackson.databind.JsonNode body) {
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
