package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** The delivery guarantees of docs/protocol.md, each by a test that fails when it breaks. */
class DeliveryGuaranteesTest {

  static boolean personal(JsonNode m) {
    return m.has("seq") && m.path("type").asText().startsWith("command.");
  }

  @Test
  void aClientThatDropsOutMidBurstAndResumesGetsEveryOutcomeOnceAndInOrder() {
    try (TestServer server = TestServer.start(TestServer.BULK)) {
      String alice = server.signIn("alice");
      WsClient first = server.connect(alice);
      JsonNode welcome = first.awaitType("welcome");
      String epoch = welcome.get("epoch").asText();
      long start = welcome.get("seq").asLong();

      List<CompletionStage<HttpResponse>> posts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        HttpRequest post = HttpRequest.POST(server.url("/api/todos"))
            .addHeader(RawHeader.create("Authorization", "Bearer " + alice))
            .withEntity(ContentTypes.APPLICATION_JSON, "{\"text\":\"burst " + i + "\"}");
        posts.add(Http.get(server.system).singleRequest(post));
      }
      // read part of the burst, then drop the connection
      List<JsonNode> seen = new ArrayList<>();
      while (seen.size() < 40) {
        JsonNode m = first.await(DeliveryGuaranteesTest::personal, Duration.ofSeconds(20));
        seen.add(m);
      }
      first.close();
      assertTrue(first.closeCode() > 0);
      long lastSeq = seen.get(seen.size() - 1).get("seq").asLong();

      Set<String> accepted = new HashSet<>();
      for (CompletionStage<HttpResponse> p : posts) {
        TestServer.Response r = server.await(p);
        assertEquals(202, r.status());
        accepted.add(r.json().get("commandId").asText());
      }

      WsClient resumed = WsClient.connect(server, "/ws?ticket=" + server.ticket(alice) + "&epoch=" + epoch + "&lastSeq=" + lastSeq);
      List<JsonNode> rest = new ArrayList<>();
      while (seen.size() + rest.size() < 200) {
        JsonNode m = resumed.await(x -> personal(x) || x.path("type").asText().equals("resumed") || x.path("type").asText().equals("resync"), Duration.ofSeconds(20));
        assertTrue(!m.path("type").asText().equals("resync"), "resumed, not resync: " + m);
        if (m.path("type").asText().equals("resumed")) {
          assertEquals(lastSeq + 1, m.get("from").asLong(), m.toString());
          continue;
        }
        rest.add(m);
      }
      List<JsonNode> all = new ArrayList<>(seen);
      all.addAll(rest);
      for (int i = 0; i < all.size(); i++) {
        assertEquals(start + i + 1, all.get(i).get("seq").asLong(), "in order, no gap, no repeat at " + i);
        assertEquals(epoch, all.get(i).get("epoch").asText());
      }
      Set<String> outcomes = new HashSet<>();
      all.forEach(m -> assertTrue(outcomes.add(m.get("commandId").asText()), "once: " + m));
      assertEquals(accepted, outcomes, "every accepted command's outcome arrived");
      assertTrue(resumed.barrier().stream().noneMatch(DeliveryGuaranteesTest::personal), "nothing more after the 200");
      resumed.close();
    }
  }

  @Test
  void aClientThatResumesTooLateOrFromAnotherEpochIsToldToResync() {
    try (TestServer server = TestServer.start("edf.delivery.history-size = 10\nedf.auth.ingest-key = test-ingest-key-0123456789abcdef0123")) {
      String bob = server.signIn("bob");
      WsClient first = server.connect(bob);
      String epoch = first.awaitType("welcome").get("epoch").asText();
      for (int i = 0; i < 30; i++) {
        server.post("/internal/events", null, "{\"userId\":\"bob\",\"payload\":{\"type\":\"tick\",\"i\":" + i + "}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
      }
      JsonNode last = first.await(m -> m.path("i").asInt(-1) == 29, Duration.ofSeconds(10));
      assertEquals(30, last.get("seq").asLong());
      first.close();

      WsClient late = WsClient.connect(server, "/ws?ticket=" + server.ticket(bob) + "&epoch=" + epoch + "&lastSeq=5");
      JsonNode resync = late.awaitType("resync");
      assertEquals(epoch, resync.get("epoch").asText());
      assertEquals(30, resync.get("seq").asLong());
      late.close();

      WsClient otherEpoch = WsClient.connect(server, "/ws?ticket=" + server.ticket(bob) + "&epoch=gone&lastSeq=29");
      assertEquals(30, otherEpoch.awaitType("resync").get("seq").asLong());
      otherEpoch.close();

      WsClient ahead = WsClient.connect(server, "/ws?ticket=" + server.ticket(bob) + "&epoch=" + epoch + "&lastSeq=31");
      ahead.awaitType("resync");
      ahead.close();

      WsClient inTime = WsClient.connect(server, "/ws?ticket=" + server.ticket(bob) + "&epoch=" + epoch + "&lastSeq=25");
      List<JsonNode> replay = inTime.collectUntil(m -> m.path("type").asText().equals("resumed"));
      assertEquals(List.of(26L, 27L, 28L, 29L, 30L), replay.stream().filter(m -> m.has("seq")).map(m -> m.get("seq").asLong()).toList());
      inTime.close();

      assertEquals(400, WsClient.connect(server, "/ws?ticket=" + server.ticket(bob) + "&epoch=" + epoch).upgradeStatus, "lastSeq goes with epoch");
      assertEquals(400, WsClient.connect(server, "/ws?ticket=" + server.ticket(bob) + "&epoch=e&lastSeq=-1").upgradeStatus);
    }
  }

  @Test
  void aSocketThatNeverReadsIsClosedAsASlowConsumerWhileOthersKeepReceiving() throws Exception {
    try (TestServer server = TestServer.start(TestServer.BULK + "edf.websocket.outgoing-buffer = 64\nedf.auth.ingest-key = test-ingest-key-0123456789abcdef0123")) {
      String carol = server.signIn("carol");
      String dave = server.signIn("dave");
      RawWsClient stalled = RawWsClient.stalled("ws://127.0.0.1:" + server.port + "/ws?ticket=" + server.ticket(carol));
      WsClient reader = server.connect(dave);
      reader.awaitType("welcome");

      String pad = "x".repeat(16 * 1024);
      int sent = 0;
      while (!stalled.closeCode.isDone() && sent < 4000) {
        // 16 KiB each to carol, who never reads; one small one to dave now and then
        server.post("/internal/events", null, "{\"userId\":\"carol\",\"payload\":{\"type\":\"big\",\"pad\":\"" + pad + "\"}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
        if (++sent % 100 == 0) {
          server.post("/internal/events", null, "{\"userId\":\"dave\",\"payload\":{\"type\":\"small\",\"n\":" + sent + "}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
          int n = sent;
          reader.await(m -> m.path("n").asInt() == n, Duration.ofSeconds(10));
          if (connections(server).sockets() == 1) break;
        }
      }
      assertEquals(new ConnectionRegistry.Connections(1, 1), connections(server), "carol's socket was closed on the server after " + sent + " messages");
      stalled.startReading();
      assertEquals(SocketSession.SLOW_CONSUMER, stalled.awaitClose());
      server.post("/internal/events", null, "{\"userId\":\"dave\",\"payload\":{\"type\":\"still-here\"}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
      reader.awaitType("still-here");
      reader.close();
    }
  }

  static ConnectionRegistry.Connections connections(TestServer server) throws Exception {
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<ConnectionRegistry.Command, ConnectionRegistry.Connections>ask(
            server.registry(), ConnectionRegistry.GetConnections::new, Duration.ofSeconds(5), server.system.scheduler())
        .toCompletableFuture().get();
  }

  @Test
  void aGracefulShutdownDrainsTheQueueClosesWith1001AndTheRestartedServerResumesTheRest() throws Exception {
    String db = TestServer.freshDatabase();
    TestServer server = TestServer.start(db, "edf.shutdown.drain-timeout = 2500ms");
    String commandId;
    String queuedId;
    RawWsClient socket;
    try {
      String erin = server.signIn("erin");
      server.send(HttpMethods.PUT, "/api/chaos", erin, "{\"minDelayMs\":1500,\"maxDelayMs\":1500}");
      socket = RawWsClient.reading("ws://127.0.0.1:" + server.port + "/ws?ticket=" + server.ticket(erin));
      String id = UUID.randomUUID().toString();
      commandId = server.post("/api/todos", erin, "{\"id\":\"" + id + "\",\"text\":\"finish me\"}").json().get("commandId").asText();
      // queued behind it, with more time than the drain has: processed after the restart
      server.send(HttpMethods.PUT, "/api/chaos", erin, "{\"minDelayMs\":3000,\"maxDelayMs\":3000}");
      queuedId = server.post("/api/todos", erin, "{\"text\":\"after the restart\"}").json().get("commandId").asText();

      CompletableFuture<org.apache.pekko.Done> shutdown =
          CoordinatedShutdown.get(server.system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture();
      TestServer.Response refused = server.post("/api/todos", erin, "{\"text\":\"too late\"}");
      assertEquals(503, refused.status(), refused.body());
      assertEquals(1001, socket.awaitClose());
      shutdown.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      server.close();
    }
    List<JsonNode> before = socket.received.stream().map(DeliveryGuaranteesTest::parse).toList();
    String epoch = before.get(0).get("epoch").asText();
    long lastSeq = before.stream().filter(DeliveryGuaranteesTest::personal).mapToLong(m -> m.get("seq").asLong()).max().orElse(0);

    TestServer again = TestServer.start(db, "");
    try {
      String erin = again.signIn("erin");
      // nobody has asked about erin's commands yet: the restarted server goes on with its queue by itself
      Eventually.get(() -> again.get("/api/todos", erin).body().contains("after the restart") ? true : null, Duration.ofSeconds(20));
      WsClient resumed = WsClient.connect(again, "/ws?ticket=" + again.ticket(erin) + "&epoch=" + epoch + "&lastSeq=" + lastSeq);
      // what was missed (here both outcomes may be) comes first, then `resumed`
      List<JsonNode> after = resumed.collectUntil(m -> m.path("type").asText().equals("resumed") || m.path("type").asText().equals("resync"));
      if (after.stream().noneMatch(m -> queuedId.equals(m.path("commandId").asText()))) {
        after.addAll(resumed.collectUntil(m -> queuedId.equals(m.path("commandId").asText())));
      }
      assertTrue(after.stream().anyMatch(m -> m.path("type").asText().equals("resumed")), "resumed, not resync: " + after);
      List<JsonNode> all = new ArrayList<>(before);
      all.addAll(after);
      assertEquals(1, all.stream().filter(m -> commandId.equals(m.path("commandId").asText())).count(),
          "the drained command's outcome exactly once, before the close or by resume: " + all);
      assertEquals(1, all.stream().filter(m -> queuedId.equals(m.path("commandId").asText())).count());
      resumed.close();
    } finally {
      again.close();
    }
  }

  static JsonNode parse(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
