package edf;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Rejections;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * GET /ws: the WebSocket upgrade ({@link SocketUpgrade} asks these routes). Checks the Origin against the public origins, redeems the single-use ticket (once in the
 * whole cluster) and hands the socket to a {@link SocketSession}, resuming from `epoch` and
 * `lastSeq` when given.
 */
final class SocketRoutes extends RouteSupport {
  private final Auth auth;
  private final SocketSession.Services sessions;
  private final ClusterSharding sharding;
  private final BooleanSupplier accepting;
  private final Supplier<PublicOrigins> origins;

  SocketRoutes(
      ActorSystem<?> system, Settings settings, Auth auth, SocketSession.Services sessions,
      BooleanSupplier accepting, Supplier<PublicOrigins> origins) {
    super(system, settings);
    this.auth = auth;
    this.sessions = sessions;
    this.sharding = ClusterSharding.get(system);
    this.accepting = accepting;
    this.origins = origins;
  }

  Route route() {
    return withProblems(
        () ->
            get(
                () ->
                    upgrade(
                        () ->
                            optionalHeaderValueByName(
                                "Origin",
                                origin -> {
                                  if (!accepting.getAsBoolean())
                                    return complete(problem.of(StatusCodes.SERVICE_UNAVAILABLE, "shutting-down", "The server is shutting down; connect again later"));
                                  // a browser says where the page came from: only the public origins, exactly
                                  if (origin.isPresent() && !origins.get().allowsOrigin(origin.get()))
                                    return complete(problem.of(StatusCodes.FORBIDDEN, "origin-not-allowed", "This origin may not open a WebSocket here"));
                                  return parameterOptional("ticket", ticket ->
                                      parameterOptional("epoch", epoch ->
                                          parameterOptional("lastSeq", lastSeq -> redeem(ticket, resumeFrom(epoch, lastSeq)))));
                                }))));
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

  /** Only a WebSocket upgrade, as {@link HttpEdge} hands it over, opens a socket; other requests are rejected as Pekko HTTP does. */
  private Route upgrade(Supplier<Route> inner) {
    return extractRequest(request ->
        request.getAttribute(SocketUpgrade.REQUEST).isPresent() ? inner.get() : reject(Rejections.expectedWebSocketRequest()));
  }

  private Route redeem(Optional<String> ticket, ResumeFrom resume) {
    Optional<Auth.Claims> claims = ticket.flatMap(auth::verifyTicket);
    if (claims.isEmpty()) return ticketRefused();
    Auth.Claims c = claims.get();
    return onSuccess(
        sharding
            .entityRefFor(TicketRegistry.ENTITY_TYPE_KEY, TicketRegistry.bucket(c.nonce()))
            .<Boolean>ask(r -> new TicketRegistry.Redeem(c.nonce(), c.expiresAt(), r), timeout),
        fresh ->
            fresh
                ? complete(SocketSession.open(c.userId(), resume.epoch(), resume.lastSeq(), settings, sessions))
                : ticketRefused());
  }

  private Route ticketRefused() {
    return complete(problem.of(StatusCodes.UNAUTHORIZED, "ticket-invalid",
        "A fresh ticket from POST /api/ws-ticket is required: it is missing, expired or already used"));
  }
}
