package edf.ops;

import edf.Limits;
import edf.SocketSession;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What an operator of this node watches, in Prometheus' format (README, "Metrics"): the sockets it
 * holds, what they were sent, what was merged for slow clients, how the server closed them, the
 * ingested events and how long storing each took, and the JVM's own figures (heap, GC, threads,
 * resident memory). One set per actor system; served on a port of its own
 * (`edf.metrics.port`) by {@link #serve}, so the public port never shows them.
 *
 * <p>Everything here is safe from any thread: the socket's figures are counted on Netty's event
 * loops, the ingest's on Pekko's dispatcher.
 */
public final class NodeMetrics implements Extension {
  /** The closes a socket's own code sends (docs/protocol.md, "Close codes"): shown from the start, at 0. */
  private static final int[] CLOSE_CODES = {
    SocketSession.GOING_AWAY, SocketSession.INVALID_PAYLOAD, SocketSession.POLICY_VIOLATION, SocketSession.TOO_BIG, SocketSession.INTERNAL_ERROR,
    SocketSession.SLOW_CONSUMER, SocketSession.TOO_MANY_SOCKETS
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Gauge sockets = Gauge.builder()
      .name("edf_websockets")
      .help("WebSockets open on this node")
      .register(registry);
  private final Counter messages = Counter.builder()
      .name("edf_websocket_messages_total")
      .help("Messages written to this node's WebSockets (personal, topic and connection messages)")
      .register(registry);
  private final Counter merged = Counter.builder()
      .name("edf_websocket_messages_merged_total")
      .help("Topic messages that replaced an older one still waiting for a slow socket (docs/protocol.md, slow clients)")
      .register(registry);
  private final Counter closes = Counter.builder()
      .name("edf_websocket_closes_total")
      .help("WebSockets this node closed, by close code (4008: too far behind, resume)")
      .labelNames("code")
      .register(registry);
  private final Counter refusedUpgrades = Counter.builder()
      .name("edf_websocket_upgrades_refused_total")
      .help("WebSocket upgrades this node refused before the routes saw them, by reason (node-full: 503, it held edf.limits.sockets-per-node)")
      .labelNames("reason")
      .register(registry);
  private final CounterDataPoint refusedNodeFull = refusedUpgrades.labelValues("node-full");
  private final Gauge socketLimit = Gauge.builder()
      .name("edf_websockets_limit")
      .help("The most WebSockets this node opens (edf.limits.sockets-per-node)")
      .register(registry);
  private final Counter ingested = Counter.builder()
      .name("edf_ingest_requests_total")
      .help("Valid POST /internal/events requests by result: stored (202), limited (429), failed (not stored in time: 503)")
      .labelNames("result")
      .register(registry);
  private final CounterDataPoint stored = ingested.labelValues("stored");
  private final CounterDataPoint limited = ingested.labelValues("limited");
  private final CounterDataPoint failed = ingested.labelValues("failed");
  private final Histogram storing = Histogram.builder()
      .name("edf_ingest_store_seconds")
      .help("From an ingested event's request to its being numbered and stored in the user's history (the 202)")
      .unit(Unit.SECONDS)
      .classicOnly()
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
      .register(registry);

  private NodeMetrics() {
    for (int code : CLOSE_CODES) closes.labelValues(Integer.toString(code));
    JvmMetrics.builder().register(registry);
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return system.registerExtension(Id.INSTANCE);
  }

  /** What the limits of this node are, for the gauges that show them. */
  public void limits(Limits limits) {
    socketLimit.set(limits.socketsPerNode());
  }

  public void socketOpened() {
    sockets.inc();
  }

  public void socketClosed() {
    sockets.dec();
  }

  public void messagesWritten(int count) {
    messages.inc(count);
  }

  public void socketRefusedNodeFull() {
    refusedNodeFull.inc();
  }

  public void topicMessageMerged() {
    merged.inc();
  }

  public void socketClosedWith(int code) {
    closes.labelValues(Integer.toString(code)).inc();
  }

  public void eventLimited() {
    limited.inc();
  }

  /** An ingested event was stored (or not, `failed`) `nanos` after its request came. */
  public void eventIngested(boolean failed, long nanos) {
    (failed ? this.failed : stored).inc();
    if (!failed) storing.observe(nanos / 1e9);
  }

  /**
   * Serves `/metrics` on `host:port` (port 0: any free one) until the system terminates; the
   * bound port.
   */
  public int serve(ActorSystem<?> system, String host, int port) {
    HTTPServer server;
    try {
      server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen", e);
    }
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "edf-metrics-stop", () -> {
      server.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    return server.getPort();
  }

  private static final class Id extends ExtensionId<NodeMetrics> {
    static final Id INSTANCE = new Id();

    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      return new NodeMetrics();
    }
  }
}
