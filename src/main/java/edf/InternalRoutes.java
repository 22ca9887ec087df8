package edf;

import edf.ops.NodeMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * /internal, for the application's other services, behind the ingest key: events for a user's
 * sockets (POST /internal/events) and what a capacity run reads (GET /internal/metrics).
 */
final class InternalRoutes extends RouteSupport {
  private final ActorRef<ConnectionRegistry.Command> registry;
  private final ClusterSharding sharding;
  private final Wire wire;
  /** The answer to every stored event (built once: this is the push path's hot route). */
  private static final HttpResponse ACCEPTED =
      HttpResponse.create()
          .withStatus(StatusCodes.ACCEPTED)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"accepted\"}"));
  /** Events per addressed user, on this node (edf.limits.events). */
  private final RateLimiter events;
  private final NodeMetrics metrics;

  InternalRoutes(ActorSystem<?> system, Settings settings, ActorRef<ConnectionRegistry.Command> registry) {
    super(system, settings);
    this.registry = registry;
    this.sharding = ClusterSharding.get(system);
    this.wire = new Wire(mapper);
    this.events = new RateLimiter(settings.limits().events());
    this.metrics = NodeMetrics.get(system);
  }

  Route route() {
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
          long began = System.nanoTime();
          Requests.Event event = requests.event(body);
          String what = "events for user " + event.userId() + " a second";
          return limited(events, event.userId(), "too-many-events", what, metrics::eventLimited, () -> {
            // 202 once the event is numbered and stored in the user's history: from then on a
            // restart does not lose it (no answer in time: 503, and the sender tries again)
            String json = wire.payload(event.payload());
            return onSuccess(
                onAnsweringThread(sharding
                        .entityRefFor(UserLedger.ENTITY_TYPE_KEY, event.userId())
                        .<Done>ask(stored -> new UserLedger.Notify(json, stored), timeout))
                    .whenComplete((stored, failure) -> metrics.eventIngested(failure != null, System.nanoTime() - began)),
                stored -> complete(ACCEPTED));
          });
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
}
