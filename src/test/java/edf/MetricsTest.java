package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/**
 * The node's Prometheus metrics (README, "Metrics"), scraped over HTTP from their own port as
 * Prometheus would: what they say follows what the sockets and the ingest really did.
 */
class MetricsTest {
  static final String KEY = SlowClientTest.KEY;
  static final String SERVED = "edf.metrics.port = 0\nedf.auth.ingest-key = " + KEY + "\n";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The text a scrape of the server's metrics port answers. */
  static String scrape(TestServer server) {
    int port = NodeMetrics.get(server.system).port();
    assertTrue(port > 0, "the metrics are served");
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      return response.body();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The value of the sample `series` (a name, with its labels if it has any) in `text`; 0 when absent. */
  static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static double value(TestServer server, String series) {
    return value(scrape(server), series);
  }

  @Test
  void socketsMessagesAndIngestedEventsAreCountedAsTheyHappen() {
    try (TestServer server = TestServer.start(TestServer.BULK + SERVED)) {
      String erin = server.signIn("erin");
      WsClient one = server.connect(erin);
      WsClient two = server.connect(erin);
      one.awaitType("welcome");
      two.awaitType("welcome");
      assertEquals(2, value(server, "edf_websockets"));

      String before = scrape(server);
      RawHeader key = RawHeader.create("Authorization", "Bearer " + KEY);
      assertEquals(202, server.post("/internal/events", null, "{\"userId\":\"erin\",\"payload\":{\"type\":\"note\",\"n\":1}}", key).status());
      one.await(m -> m.path("n").asInt() == 1, java.time.Duration.ofSeconds(10));
      two.await(m -> m.path("n").asInt() == 1, java.time.Duration.ofSeconds(10));
      String after = scrape(server);

      assertEquals(2, value(after, "edf_websocket_messages_total") - value(before, "edf_websocket_messages_total"),
          "one event, two windows: two messages written");
      assertEquals(1, value(after, "edf_ingested_events_total{result=\"stored\"}") - value(before, "edf_ingested_events_total{result=\"stored\"}"));
      assertEquals(1, value(after, "edf_ingest_store_seconds_count") - value(before, "edf_ingest_store_seconds_count"));
      assertTrue(value(after, "edf_ingest_store_seconds_sum") > value(before, "edf_ingest_store_seconds_sum"));
      assertTrue(value(after, "process_resident_memory_bytes") > 0, "the JVM's own figures are there too");

      one.close();
      assertEquals(1000, one.closeCode());
      Eventually.get(() -> value(server, "edf_websockets") == 1 ? true : null);
      two.close();
    }
  }

  @Test
  void anEventOverItsUsersRateIsCountedAsLimited() {
    try (TestServer server = TestServer.start(SERVED + "edf.limits.events { per-second = 1, burst = 1 }\n")) {
      RawHeader key = RawHeader.create("Authorization", "Bearer " + KEY);
      String event = "{\"userId\":\"frank\",\"payload\":{\"type\":\"note\"}}";
      assertEquals(202, server.post("/internal/events", null, event, key).status());
      assertEquals(429, server.post("/internal/events", null, event, key).status());
      String text = scrape(server);
      assertEquals(1, value(text, "edf_ingested_events_total{result=\"stored\"}"));
      assertEquals(1, value(text, "edf_ingested_events_total{result=\"limited\"}"));
    }
  }

  @Test
  void theMetricsAreNotServedUnlessAPortIsSetAndNeverOnThePublicPort() {
    try (TestServer server = TestServer.start()) {
      assertEquals(0, NodeMetrics.get(server.system).port());
      assertFalse(server.get("/metrics", null).body().contains("edf_websockets"));
    }
    try (TestServer server = TestServer.start(SERVED)) {
      assertTrue(scrape(server).contains("edf_websockets"));
      assertFalse(server.get("/metrics", null).body().contains("edf_websockets"), "the public port answers with the UI, not the metrics");
    }
  }
}
