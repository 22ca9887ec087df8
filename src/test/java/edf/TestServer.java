package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The real server, bound on a free port, with Pekko's own HTTP client to talk to it. Chaos is off
 * unless a test turns it on; tests share one server per class.
 */
final class TestServer implements AutoCloseable {
  final ActorSystem<Guardian.Command> system;
  final int port;
  final ObjectMapper mapper = new ObjectMapper();

  /** What the server answered, with the body read to the end. */
  record Response(int status, String contentType, Map<String, String> headers, String body, JsonNode json) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  private TestServer(ActorSystem<Guardian.Command> system, int port) {
    this.system = system;
    this.port = port;
  }

  /**
   * For a test that sends commands, events or chaos changes as a script does, far faster than a
   * person: the per-user rates of edf.limits raised out of its way (LimitsTest tests them).
   */
  static final String BULK = "edf.limits { commands { per-second = 100000, burst = 100000 }, "
      + "events { per-second = 100000, burst = 100000 }, chaos-changes { per-second = 100000, burst = 100000 } }\n";

  static TestServer start() {
    return start("");
  }

  /** @param overrides HOCON that overrides application.conf, e.g. "edf.chaos.allow-update = false" */
  static TestServer start(String overrides) {
    return start(freshDatabase(), overrides);
  }

  /** A new, empty in-memory database; it lives until the JVM ends, so a server can restart on it. */
  static String freshDatabase() {
    return "jdbc:h2:mem:edf-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  /** @param dbUrl the JDBC URL of the server's database (a restarted server gets the same one) */
  static TestServer start(String dbUrl, String overrides) {
    Config config =
        Storage.prepare(ConfigFactory.parseString(
                "edf.db.url = \"" + dbUrl + "\"\n" + """
                    edf.http.port = 0
                    edf.chaos {
                      http-failure-rate = 0, lost-response-rate = 0, processing-failure-rate = 0
                      min-http-delay = 0ms, max-http-delay = 0ms, min-delay = 0ms, max-delay = 0ms
                      seed = 42
                    }
                    edf.websocket.stats-interval = 200ms
                    pekko.remote.artery.canonical.port = 0
                    pekko.coordinated-shutdown.terminate-actor-system = on
                    pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                    # the tests' own client sends bursts of requests
                    pekko.http.host-connection-pool.max-open-requests = 512
                    pekko.http.host-connection-pool.max-connections = 16
                    """
                    + overrides)
            .withFallback(ConfigFactory.load())
            .resolve());
    CompletableFuture<HttpEdge> bound = new CompletableFuture<>();
    ActorSystem<Guardian.Command> system =
        ActorSystem.create(Guardian.create(Settings.fromConfig(config), bound), "edf-test", config);
    try {
      HttpEdge binding = bound.get(30, TimeUnit.SECONDS);
      return new TestServer(system, binding.localAddress().getPort());
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("server did not start", e);
    }
  }

  /** This node's ConnectionRegistry, to ask it what it holds (the receptionist lists it soon after start). */
  org.apache.pekko.actor.typed.ActorRef<ConnectionRegistry.Command> registry() {
    return Eventually.get(() -> {
      try {
        var instances = org.apache.pekko.actor.typed.javadsl.AskPattern
            .<org.apache.pekko.actor.typed.receptionist.Receptionist.Command, org.apache.pekko.actor.typed.receptionist.Receptionist.Listing>ask(
                system.receptionist(), r -> org.apache.pekko.actor.typed.receptionist.Receptionist.find(ConnectionRegistry.KEY, r),
                Duration.ofSeconds(5), system.scheduler())
            .toCompletableFuture().get(10, TimeUnit.SECONDS)
            .getServiceInstances(ConnectionRegistry.KEY);
        return instances.isEmpty() ? null : instances.iterator().next();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  Response send(HttpMethod method, String path, String token, String body, HttpHeader... headers) {
    HttpRequest request = HttpRequest.create(url(path)).withMethod(method).addHeaders(java.util.List.of(headers));
    if (token != null) request = request.addHeader(RawHeader.create("Authorization", "Bearer " + token));
    if (body != null) request = request.withEntity(ContentTypes.APPLICATION_JSON, body);
    return await(Http.get(system).singleRequest(request));
  }

  Response get(String path, String token) {
    return send(HttpMethods.GET, path, token, null);
  }

  Response post(String path, String token, String body, HttpHeader... headers) {
    return send(HttpMethods.POST, path, token, body, headers);
  }

  /** Signs in and returns the session token. */
  String signIn(String userId) {
    Response r = post("/api/session", null, "{\"userId\":\"" + userId + "\"}");
    if (r.status() != 200) throw new IllegalStateException("sign-in failed: " + r);
    return r.json().get("token").asText();
  }

  String ticket(String token) {
    return post("/api/ws-ticket", token, null).json().get("ticket").asText();
  }

  WsClient connect(String token) {
    return WsClient.connect(this, "/ws?ticket=" + ticket(token));
  }

  Response await(java.util.concurrent.CompletionStage<HttpResponse> pending) {
    try {
      HttpResponse response = pending.toCompletableFuture().get(20, TimeUnit.SECONDS);
      var strict = response.entity().toStrict(10_000, system).toCompletableFuture().get(20, TimeUnit.SECONDS);
      String body = strict.getData().utf8String();
      Map<String, String> headers = new java.util.HashMap<>();
      response.getHeaders().forEach(h -> headers.put(h.lowercaseName(), h.value()));
      JsonNode json = null;
      try {
        json = body.isEmpty() ? null : mapper.readTree(body);
      } catch (Exception notJson) {
        // leave json null: the test looks at the body
      }
      return new Response(response.status().intValue(), strict.getContentType().toString(), headers, body, json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
