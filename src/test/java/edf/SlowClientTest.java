package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/**
 * A socket that stops reading (docs/protocol.md, "slow clients"): its topic traffic is merged
 * while it is behind, its personal messages all arrive in order, and when its personal backlog
 * outgrows what resume can replay it is closed with 4008 and resumes everything.
 */
class SlowClientTest {
  static final String KEY = "test-ingest-key-0123456789abcdef0123";
  static final ObjectMapper JSON = new ObjectMapper();
  /** 16 KiB each: a few hundred of them fill the socket's TCP buffers, so the rest waits in the server. */
  static final String PAD = "x".repeat(16 * 1024);

  static void ingest(TestServer server, String userId, String payload) {
    TestServer.Response r = server.post("/internal/events", null,
        "{\"userId\":\"" + userId + "\",\"payload\":" + payload + "}", RawHeader.create("Authorization", "Bearer " + KEY));
    assertEquals(202, r.status(), r.body());
  }

  static String ws(TestServer server, String token, String query) {
    return "ws://127.0.0.1:" + server.port + "/ws?ticket=" + server.ticket(token) + query;
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** What the client received, in order, up to and including the first message that matches. */
  static List<JsonNode> receiveUntil(RawWsClient client, Predicate<JsonNode> match) throws InterruptedException {
    List<JsonNode> all = new ArrayList<>();
    while (true) {
      String next = client.received.poll(30, TimeUnit.SECONDS);
      if (next == null) throw new AssertionError("no matching message (close: " + client.closeCode.getNow(null) + "); got " + all.size() + " before: "
          + all.stream().map(m -> m.path("type").asText() + "#" + m.path("seq").asText()).limit(20).toList());
      JsonNode m = json(next);
      all.add(m);
      if (match.test(m)) return all;
    }
  }

  static Predicate<JsonNode> type(String type) {
    return m -> m.path("type").asText().equals(type);
  }

  @Test
  void aSocketThatStopsReadingGetsTheLatestTopicMessagesMergedAndEveryPersonalMessageInOrder() throws Exception {
    int metrics = MetricsTest.freePort();
    try (TestServer server = TestServer.start(TestServer.BULK + MetricsTest.served(metrics)
        + "edf.websocket.outgoing-buffer = 2000\nedf.auth.ingest-key = " + KEY)) {
      String carol = server.signIn("carol");
      String dave = server.signIn("dave");
      WsClient watcher = server.connect(dave);
      watcher.awaitType("welcome");
      watcher.subscribe("todos");

      RawWsClient stalled = RawWsClient.stalled(ws(server, carol, ""));
      stalled.read(1);
      long seq = receiveUntil(stalled, type("welcome")).get(0).path("seq").asLong();
      stalled.socket.sendText("{\"type\":\"subscribe\",\"topic\":\"todos\"}", true);
      stalled.socket.sendText("{\"type\":\"subscribe\",\"topic\":\"stats\"}", true);
      // subscribed todos, presence.snapshot, subscribed stats: then carol reads nothing more
      stalled.read(3);
      receiveUntil(stalled, m -> type("subscribed").test(m) && m.path("topic").asText().equals("stats"));

      // personal messages until far more than the socket's TCP buffers hold: the rest waits in the server
      int big = 600;
      for (int i = 1; i <= big; i++) ingest(server, "carol", "{\"type\":\"big\",\"n\":" + i + ",\"pad\":\"" + PAD + "\"}");

      // topic traffic meanwhile: one todo changed many times (and a stats tick for each change)
      String id = UUID.randomUUID().toString();
      assertEquals(202, server.post("/api/todos", dave, "{\"id\":\"" + id + "\",\"text\":\"v0\"}").status());
      int changes = 100;
      for (int i = 1; i <= changes; i++) {
        assertEquals(202, server.send(HttpMethods.PATCH, "/api/todos/" + id, dave, "{\"text\":\"v" + i + "\"}").status());
      }
      watcher.await(m -> type("todo.changed").test(m) && m.path("data").path("text").asText().equals("v" + changes), Duration.ofSeconds(30));
      // after every change reached carol's socket (the registry told it before it told dave's)
      ingest(server, "carol", "{\"type\":\"marker\"}");

      stalled.startReading();
      List<JsonNode> all = receiveUntil(stalled, type("marker"));

      List<Long> personal = all.stream().filter(m -> m.has("seq")).map(m -> m.get("seq").asLong()).toList();
      List<Long> expected = new ArrayList<>();
      for (long s = seq + 1; s <= seq + big + 1; s++) expected.add(s);
      assertEquals(expected, personal, "every personal message, once, in order");
      List<JsonNode> bigs = all.stream().filter(type("big")).toList();
      for (int i = 0; i < big; i++) assertEquals(i + 1, bigs.get(i).get("n").asInt());

      List<JsonNode> changed = all.stream().filter(type("todo.changed")).toList();
      List<JsonNode> stats = all.stream().filter(type("stats")).toList();
      assertTrue(changed.size() < changes / 4, "merged: " + changed.size() + " todo.changed of " + (changes + 1));
      assertEquals("v" + changes, changed.get(changed.size() - 1).path("data").path("text").asText(), "the latest version");
      assertTrue(stats.size() < changes / 4, "merged: " + stats.size() + " stats");
      // at least every todo.changed that carol did not get (of the `changes` sent), and the stats ticks merged besides
      double merged = MetricsTest.value(metrics, "edf_websocket_messages_merged_total");
      assertTrue(merged >= changes - changed.size(), "the metrics count every version left out: " + merged);
      stalled.socket.abort();
      watcher.close();
    }
  }

  @Test
  void aPersonalBacklogBeyondTheBufferClosesWith4008AndTheClientResumesEverything() throws Exception {
    int metrics = MetricsTest.freePort();
    try (TestServer server = TestServer.start(TestServer.BULK + MetricsTest.served(metrics)
        + "edf.websocket.outgoing-buffer = 64\nedf.delivery.history-size = 5000\nedf.auth.ingest-key = " + KEY)) {
      String carol = server.signIn("carol");
      RawWsClient stalled = RawWsClient.stalled(ws(server, carol, ""));
      stalled.read(1);
      JsonNode welcome = receiveUntil(stalled, type("welcome")).get(0);
      String epoch = welcome.get("epoch").asText();
      long start = welcome.get("seq").asLong();

      // 4 KiB each, within the history (5000 messages): what the closed socket missed (its backlog of
      // 64, and the few sent until the close is seen) stays under the largest replay (1,000,000 chars)
      String pad = PAD.substring(0, 4 * 1024);
      int sent = 0;
      while (sent < 4500) {
        ingest(server, "carol", "{\"type\":\"big\",\"n\":" + (++sent) + ",\"pad\":\"" + pad + "\"}");
        if (sent % 10 == 0 && DeliveryGuaranteesTest.connections(server).sockets() == 0) break;
      }
      assertEquals(0, DeliveryGuaranteesTest.connections(server).sockets(), "closed on the server after " + sent + " messages");
      stalled.startReading();
      assertEquals(SocketSession.SLOW_CONSUMER, stalled.awaitClose());
      assertEquals(1, MetricsTest.value(metrics, "edf_websocket_closes_total{code=\"4008\"}"), "the metrics count the close");
      List<Long> seen = new ArrayList<>();
      for (String text : stalled.received) {
        JsonNode m = json(text);
        if (m.has("seq") && m.path("type").asText().equals("big")) seen.add(m.get("seq").asLong());
      }
      long lastSeq = seen.isEmpty() ? start : seen.get(seen.size() - 1);
      assertTrue(lastSeq < start + sent, "the socket was closed before it got everything");

      RawWsClient again = RawWsClient.reading(ws(server, carol, "&epoch=" + epoch + "&lastSeq=" + lastSeq));
      List<JsonNode> replay = receiveUntil(again, m -> !type("big").test(m));
      assertEquals("resumed", replay.get(replay.size() - 1).path("type").asText(), "read up to " + lastSeq + " of " + sent);
      for (JsonNode m : replay) if (type("big").test(m)) seen.add(m.get("seq").asLong());
      List<Long> expected = new ArrayList<>();
      for (long s = start + 1; s <= start + sent; s++) expected.add(s);
      assertEquals(expected, seen, "every personal message once, in order, across the close and the resume");
      again.socket.abort();
    }
  }
}
