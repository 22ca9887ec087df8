package edf.load;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import edf.ChaosSettings;
import edf.Guardian;
import edf.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpMethods;

/**
 * Many virtual users against the server, with every outcome checked. Run with
 * {@code mvn -Pload compile exec:java -Dusers=1000 -Dwindows=2 -Dduration=60s} (see
 * docs/benchmarks.md for every option). Without {@code -Dtarget=http://host:port} the server is
 * started in this process on a free port. Exits 1 when any outcome was lost, duplicated,
 * misrouted or out of order, or the status endpoint disagreed with a push.
 */
public final class LoadSimulator {
  private LoadSimulator() {}

  public static void main(String[] args) throws Exception {
    LoadSettings settings = LoadSettings.fromSystemProperties();
    int exit = settings.mode().equals("capacity") ? CapacityRun.run(settings) : run(settings).clean() ? 0 : 1;
    System.exit(exit);
  }

  /** One run of virtual users; also what the in-build simulation test calls. */
  public static Verifier.Result run(LoadSettings settings) throws Exception {
    ActorSystem<Guardian.Command> server = null;
    String target = settings.target();
    if (target.isEmpty()) {
      CompletableFuture<edf.HttpEdge> bound = new CompletableFuture<>();
      // a run creates todos without end (40 % of its commands): the todo limits would end a long
      // one, so the simulator's own server has them out of the way (a -Dtarget server: see
      // docs/benchmarks.md); the per-user rates stay as configured
      Config overrides = ConfigFactory.parseString("edf.http.port = 0\nedf.chaos.seed = " + settings.seed()
          + "\nedf.limits { todos = 100000000, todos-per-user = 100000000 }");
      // its own database under target/, unless EDF_DB_URL names one (PostgreSQL, say)
      if (System.getenv("EDF_DB_URL") == null) {
        overrides = overrides.withFallback(ConfigFactory.parseMap(java.util.Map.of(
            "edf.db.url", "jdbc:h2:file:./target/load-db/" + System.currentTimeMillis() + ";WRITE_DELAY=0")));
      }
      Config config = edf.Storage.prepare(overrides.withFallback(ConfigFactory.load()));
      server = ActorSystem.create(Guardian.create(Settings.fromConfig(config), bound), "edf", config);
      target = "http://127.0.0.1:" + bound.get(60, TimeUnit.SECONDS).localAddress().getPort();
    }
    ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), "load", clientConfig());
    try {
      return drive(settings, client, target);
    } finally {
      client.terminate();
      client.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (server != null) {
        server.terminate();
        server.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  static Config clientConfig() {
    return ConfigFactory.parseString(
            """
            pekko.actor.provider = local
            pekko.loglevel = WARNING
            pekko.http.host-connection-pool.max-connections = %d
            pekko.http.host-connection-pool.max-open-requests = 16384
            pekko.http.client.idle-timeout = 10m
            # the simulator reads status and body only: Date and Location stay raw, unparsed
            pekko.http.host-connection-pool.client.parsing.modeled-header-parsing = off
            pekko.http.client.websocket.periodic-keep-alive-max-idle = infinite
            """.formatted(Integer.getInteger("httpConnections", 512)))
        .withFallback(ConfigFactory.defaultReference());
  }

  private static Verifier.Result drive(LoadSettings settings, ActorSystem<Void> client, String target) throws Exception {
    System.out.printf(Locale.ROOT, "load: %d users x %d windows for %s at %.0f commands/s against %s (chaos %s)%n",
        settings.users(), settings.windows(), settings.duration(), settings.commandRate(), target, settings.chaos());
    Metrics metrics = new Metrics();
    Verifier verifier = new Verifier(settings.windows(), metrics);
    setChaos(settings, client, target);
    UserRun run = new UserRun(settings, client, target, metrics, verifier);
    long start = System.nanoTime();
    if (!settings.warmup().isZero()) {
      metrics.recording = false;
      client.scheduler().scheduleOnce(settings.warmup(), () -> {
        metrics.steadyStartNanos = System.nanoTime();
        metrics.recording = true;
      }, client.executionContext());
    }
    var progress = client.scheduler().scheduleAtFixedRate(Duration.ofSeconds(5), Duration.ofSeconds(5),
        () -> print(metrics.sample(5), metrics), client.executionContext());
    run.run().toCompletableFuture().get(settings.duration().toSeconds() + 600, TimeUnit.SECONDS);
    metrics.steadyEndNanos = System.nanoTime();
    long drainUntil = System.nanoTime() + settings.drainTimeout().toNanos();
    while (verifier.outstanding() > 0 && System.nanoTime() < drainUntil) Thread.sleep(200);
    double seconds = (System.nanoTime() - start) / 1e9;
    progress.cancel();
    print(metrics.sample(Math.max(0.001, seconds - metrics.samples().stream().mapToDouble(Metrics.Sample::seconds).max().orElse(0))), metrics);
    run.checkStatuses(settings.statusSample()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    run.closeSockets();
    Verifier.Result result = verifier.result();
    Map<String, Object> summary = Report.summary(settings, metrics, result, seconds);
    System.out.println(Report.text(summary));
    Report.write(Path.of(settings.reportDir()), summary, metrics.samples());
    System.out.println("report: " + Path.of(settings.reportDir()).toAbsolutePath() + "/report.html and result.json");
    return result;
  }

  private static void print(Metrics.Sample s, Metrics m) {
    System.out.printf(Locale.ROOT,
        "t=%4.0fs users=%d sockets=%d sent=%d 202=%d (%.0f/s) outcomes=%d (%.0f/s) retried=%d p99 accept=%.0fms outcome=%.0fms delivery=%.1fms%n",
        s.seconds(), s.users(), s.sockets(), m.commandsSent.sum(), m.accepted.sum(), s.acceptedPerSecond(),
        m.outcomes.sum(), s.outcomesPerSecond(), s.retried(), s.acceptP99Ms(), s.outcomeP99Ms(), s.deliveryP99Ms());
  }

  /** "default": application.conf's trouble; "off": none at all; "keep": leave the server as it is. */
  private static void setChaos(LoadSettings settings, ActorSystem<?> client, String target) throws Exception {
    if (settings.chaos().equals("keep")) return;
    ChaosSettings chaos = settings.chaos().equals("off") ? ChaosSettings.NONE : ChaosSettings.fromConfig(ConfigFactory.load().getConfig("edf.chaos"));
    Http http = new Http(client, target, Duration.ofSeconds(10));
    var session = http.send(HttpMethods.POST, "/api/session", null, "{\"userId\":\"load-admin\"}", List.of()).toCompletableFuture().get();
    String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(chaos);
    var reply = http.send(HttpMethods.PUT, "/api/chaos", session.json().get("token").asText(), body, List.of()).toCompletableFuture().get();
    if (reply.status() != 200) throw new IllegalStateException("could not set chaos: HTTP " + reply.status());
  }
}
