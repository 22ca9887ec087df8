package edf;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole HTTP surface, one concern per class: {@link ApiRoutes} (/api: sign-in, tickets, todos,
 * commands), {@link ChaosRoutes} (/api/chaos and the flaky network), {@link SocketRoutes} (/ws),
 * {@link InternalRoutes} (/internal, behind the ingest key); here the health check, the browser
 * app, how failures become problem+json, the Host check and the security headers every answer carries.
 */
public final class Routes extends RouteSupport {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);

  private final AtomicBoolean accepting = new AtomicBoolean(true);
  /** The configured public origins, or the default for the port asked for until the actual one is known. */
  private final AtomicReference<PublicOrigins> origins;
  private final ApiRoutes api;
  private final SocketRoutes socket;
  private final InternalRoutes internal;
  /**
   * The route tree, built once: a directive's inner route is asked for on every request it lets
   * through, so each inner part below is a route built here, not one built again per request.
   */
  private final Route route;

  public Routes(
      ActorSystem<?> system,
      Settings settings,
      Auth auth,
      ActorRef<Chaos.Command> chaos,
      ActorRef<TodoReadModel.Command> readModel,
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Presence.Command> presence) {
    super(system, settings);
    this.origins = new AtomicReference<>(PublicOrigins.of(settings.publicOrigins(), settings.host(), settings.port()));
    SocketSession.Services sessions = new SocketSession.Services(registry, presence, readModel, new Wire(mapper), system);
    this.api = new ApiRoutes(system, settings, auth, new ChaosRoutes(system, settings, chaos), readModel, accepting::get);
    this.socket = new SocketRoutes(system, settings, auth, sessions, accepting::get, origins::get);
    this.internal = new InternalRoutes(system, settings, registry);
    this.route = build();
  }

  /** From now on commands get 503 and /health reports the server as going away. */
  public void stopAccepting() {
    accepting.set(false);
  }

  /** The server is bound: the default public origins are those of the actual port. */
  public PublicOrigins bound(int port) {
    origins.set(PublicOrigins.of(settings.publicOrigins(), settings.host(), port));
    return origins.get();
  }

  /** The whole HTTP surface (built once). */
  public Route route() {
    return route;
  }

  /**
   * From the outside in: Pekko's request-timeout answer, the security headers on every answer,
   * rejections and exceptions as problem+json, the Host check, then the routes.
   */
  private Route build() {
    Route apiRoutes = this.api.route();
    Route internalRoutes = this.internal.route();
    Route api = withProblems(() -> apiRoutes);
    Route socket = this.socket.route();
    Route internal = withProblems(() -> internalRoutes);
    Route health = withProblems(() -> get(this::health));
    Route app = browserApp();
    Route browserApp = get(() -> app);
    Route routes = concat(
        pathPrefix("internal", () -> internal),
        pathPrefix("api", () -> api),
        path("ws", () -> socket),
        path("health", () -> health),
        browserApp);
    Route checked = knownHost(routes);
    ExceptionHandler exceptions = exceptionHandler();
    Route handled = withProblems(() -> handleExceptions(exceptions, () -> checked));
    Route answered = respondWithDefaultHeaders(SecurityHeaders.ALL, () -> handled);
    Route timed = withRequestTimeoutResponse(this::timedOut, () -> answered);
    // a socket's upgrade comes from Netty (SocketUpgrade), not Pekko's server layer: no request
    // timeout runs for it, and Pekko warns about the directive on every request that has none
    return optionalAttribute(SocketUpgrade.REQUEST, upgrade -> upgrade.isPresent() ? answered : timed);
  }

  /** Pekko's own answer when a request takes longer than pekko.http.server.request-timeout. */
  private HttpResponse timedOut(HttpRequest request) {
    return problem.of(StatusCodes.SERVICE_UNAVAILABLE, "request-timeout", "The server did not answer in time; try again later")
        .addHeaders(SecurityHeaders.ALL);
  }

  /**
   * On a loopback address, only requests for one of the public origins' host:port: a page on
   * another name that resolves to 127.0.0.1 (DNS rebinding) gets 421 and never the API.
   */
  private Route knownHost(Route inner) {
    return extractRequest(
        request -> {
          PublicOrigins allowed = origins.get();
          if (!allowed.checksHost()) return inner;
          var host = request.getHeader(Host.class);
          boolean known = host.isPresent() && allowed.allowsHost(host.get().host().address(), host.get().port());
          return known ? inner
              : complete(problem.of(StatusCodes.MISDIRECTED_REQUEST, "misdirected-request",
                  "This server does not answer for that host; use one of its public origins"));
        });
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
        .match(java.util.concurrent.TimeoutException.class, this::unavailable)
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

  private Route browserApp() {
    return concat(
        pathSingleSlash(() -> getFromResource("public/index.html")),
        getFromResourceDirectory("public"),
        getFromResource("public/index.html"));
  }
}
