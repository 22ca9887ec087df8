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
                    get(() -> chaos.flaky(dice -> onSuccess(ask(readModel, TodoReadModel.GetAll::new), list -> ok(list)))),
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
                      return chaos.flaky(dice -> onSuccess(ask(readModel, (ActorRef<Optional<Todo>> r) -> new TodoReadModel.Get(id, r)),
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
          if (!accepting.getAsBoolean()) {
            return complete(problem.of(StatusCodes.SERVICE_UNAVAILABLE, "shutting-down",
                "The server is shutting down and accepts no commands; retry against another node or later"));
          }
          return chaos.flaky(
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
