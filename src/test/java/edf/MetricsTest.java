package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A port nothing listens on now, for a server's metrics. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The setting that serves the metrics on `port`. */
  static String served(int port) {
    return "edf.metrics.port = " + port + "\n";
  }

  /** The text a scrape of the metrics on `port` answers. */
  static String scrape(int port) {
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

  static double value(int port, String series) {
    return value(scrape(port), series);
  }

  @Test
  void socketsMessagesAndIngestedEventsAreCountedAsTheyHappen() {
    int metrics = freePort();
    try (TestServer server = TestServer.start(TestServer.BULK + served(metrics) + "edf.auth.ingest-key = " + KEY)) {
      String erin = server.signIn("erin");
      WsClient one = server.connect(erin);
      WsClient two = server.connect(erin);
      one.awaitType("welcome");
      two.awaitType("welcome");
      assertEquals(2, value(metrics, "edf_websockets"));

      String before = scrape(metrics);
      RawHeader key = RawHeader.create("Authorization", "Bearer " + KEY);
      assertEquals(202, server.post("/internal/events", null, "{\"userId\":\"erin\",\"payload\":{\"type\":\"note\",\"n\":1}}", key).status());
      one.await(m -> m.path("n").asInt() == 1, Duration.ofSeconds(10));
      two.await(m -> m.path("n").asInt() == 1, Duration.ofSeconds(10));
      String after = scrape(metrics);

      assertEquals(2, value(after, "edf_websocket_messages_total") - value(before, "edf_websocket_messages_total"),
          "one event, two windows: two messages written");
      assertEquals(1, value(after, "edf_ingest_requests_total{result=\"stored\"}") - value(before, "edf_ingest_requests_total{result=\"stored\"}"));
      assertEquals(1, value(after, "edf_ingest_store_seconds_count") - value(before, "edf_ingest_store_seconds_count"));
      assertTrue(value(after, "edf_ingest_store_seconds_sum") > value(before, "edf_ingest_store_seconds_sum"));
      assertTrue(value(after, "process_resident_memory_bytes") > 0, "the JVM's own figures are there too");

      one.close();
      assertEquals(1000, one.closeCode());
      Eventually.get(() -> value(metrics, "edf_websockets") == 1 ? true : null);
      two.close();
    }
  }

  @Test
  void anEventOverItsUsersRateIsCountedAsLimited() {
    int metrics = freePort();
    // one token, and the next not for over 15 minutes: however slow the first event is, the second is limited
    try (TestServer server = TestServer.start(served(metrics) + "edf.auth.ingest-key = " + KEY
        + "\nedf.limits.events { per-second = 0.001, burst = 1 }\n")) {
      RawHeader key = RawHeader.create("Authorization", "Bearer " + KEY);
      String event = "{\"userId\":\"frank\",\"payload\":{\"type\":\"note\"}}";
      assertEquals(202, server.post("/internal/events", null, event, key).status());
      assertEquals(429, server.post("/internal/events", null, event, key).status());
      String text = scrape(metrics);
      assertEquals(1, value(text, "edf_ingest_requests_total{result=\"stored\"}"));
      assertEquals(1, value(text, "edf_ingest_requests_total{result=\"limited\"}"));
    }
  }

  @Test
  void theMetricsAreNotServedUnlessAPortIsSetAndNeverOnThePublicPort() {
    int metrics = freePort();
    try (TestServer server = TestServer.start()) {
      assertThrows(IOException.class, () -> HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()),
          "nothing listens on a metrics port unless one is set");
      assertFalse(server.get("/metrics", null).body().contains("edf_websockets"));
    }
    try (TestServer server = TestServer.start(served(metrics))) {
      assertTrue(scrape(metrics).contains("edf_websockets"));
      assertFalse(server.get("/metrics", null).body().contains("edf_websockets"), "the public port answers with the UI, not the metrics");
    }
  }
}
