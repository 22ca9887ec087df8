package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path end to end: the real server on a free port, real WebSocket clients, commands over
 * HTTP, outcomes pushed to the right sockets.
 */
class WebSocketIntegrationTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer("edf.auth.ingest-key = \"test-ingest-key-0123456789abcdef0123\"");
  }

  @AfterEach
  void calmChaos() {
    server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"httpFailureRate\":0,\"lostResponseRate\":0,\"processingFailureRate\":0}");
  }

  static boolean outcomeOf(JsonNode m, String commandId) {
    return m.path("type").asText().startsWith("command.") && commandId.equals(m.path("commandId").asText());
  }

  static long count(List<JsonNode> messages, String commandId) {
    return messages.stream().filter(m -> outcomeOf(m, commandId)).count();
  }

  String command(String token, String method, String path, String body, String key) {
    TestServer.Response r =
        key == null
            ? server.send(HttpMethods.lookup(method).get(), path, token, body)
            : server.send(HttpMethods.lookup(method).get(), path, token, body, RawHeader.create("Idempotency-Key", key));
    assertEquals(202, r.status(), r.body());
    return r.json().get("commandId").asText();
  }

  @Test
  void anOutcomeReachesEveryWindowOfItsUserExactlyOnceAndNoOneElse() {
    try (WsClient a1 = server.connect(alice); WsClient a2 = server.connect(alice); WsClient b = server.connect(bob)) {
      b.subscribe("todos");
      String id = UUID.randomUUID().toString();
      String create = command(alice, "POST", "/api/todos", "{\"id\":\"" + id + "\",\"text\":\"Buy milk\"}", null);
      // a second command on the same todo runs after the first (FIFO): once its outcome is in,
      // any duplicate of the first would already have arrived
      String toggle = command(alice, "PATCH", "/api/todos/" + id, "{\"completed\":true}", null);

      for (WsClient window : List.of(a1, a2)) {
        List<JsonNode> got = window.collectUntil(m -> outcomeOf(m, toggle));
        assertEquals(1, count(got, create), "one outcome of the create per window: " + got);
        JsonNode outcome = got.stream().filter(m -> outcomeOf(m, create)).findFirst().orElseThrow();
        assertEquals("command.succeeded", outcome.get("type").asText());
        assertEquals("success", outcome.get("status").asText());
        assertEquals(id, outcome.get("entityId").asText());
        assertEquals("Buy milk", outcome.get("data").get("text").asText());
        assertTrue(outcome.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertTrue(window.barrier().stream().noneMatch(m -> outcomeOf(m, create) || outcomeOf(m, toggle)));
      }

      // bob sees the change on the todos topic, but none of alice's outcomes
      List<JsonNode> bobs = b.collectUntil(m -> m.path("type").asText().equals("todo.changed") && toggle.equals(m.path("commandId").asText()));
      bobs.addAll(b.barrier());
      assertTrue(bobs.stream().anyMatch(m -> m.path("type").asText().equals("todo.pending") && create.equals(m.path("commandId").asText()) && "alice".equals(m.path("by").asText())), bobs.toString());
      assertTrue(bobs.stream().anyMatch(m -> m.path("type").asText().equals("todo.changed") && create.equals(m.path("commandId").asText()) && "alice".equals(m.path("changedBy").asText())), bobs.toString());
      assertTrue(bobs.stream().noneMatch(m -> m.path("type").asText().startsWith("command.")), bobs.toString());
    }
  }

  @Test
  void aRetryAfterALostResponseStillYieldsExactlyOneOutcome() {
    try (WsClient a = server.connect(alice)) {
      String id = UUID.randomUUID().toString();
      String key = UUID.randomUUID().toString();
      String body = "{\"id\":\"" + id + "\",\"text\":\"Pay rent\"}";
      server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"lostResponseRate\":1}");
      TestServer.Response lost = server.post("/api/todos", alice, body, RawHeader.create("Idempotency-Key", key));
      assertEquals(500, lost.status(), "the response is lost although the command was accepted");
      calmChaos();

      String retried = command(alice, "POST", "/api/todos", body, key);
      String after = command(alice, "PATCH", "/api/todos/" + id, "{\"text\":\"Pay the rent\"}", null);
      List<JsonNode> got = a.collectUntil(m -> outcomeOf(m, after));
      List<JsonNode> creates = got.stream().filter(m -> m.path("type").asText().startsWith("command.") && !outcomeOf(m, after)).toList();
      assertEquals(1, creates.size(), "exactly one outcome for the create: " + got);
      assertEquals(retried, creates.get(0).get("commandId").asText());
      assertEquals("command.succeeded", creates.get(0).get("type").asText());
      JsonNode update = got.get(got.size() - 1);
      assertEquals("command.succeeded", update.get("type").asText(), "a second create would have failed the update's version: " + update);
      assertEquals(2, update.get("data").get("version").asInt());
    }
  }

  @Test
  void aProcessingFailureIsPushedWithItsReason() {
    try (WsClient a = server.connect(alice)) {
      server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"processingFailureRate\":1}");
      String commandId = command(alice, "POST", "/api/todos", "{\"text\":\"doomed\"}", null);
      JsonNode failed = a.await(m -> outcomeOf(m, commandId), java.time.Duration.ofSeconds(10));
      assertEquals("command.failed", failed.get("type").asText());
      assertEquals("failure", failed.get("status").asText());
      assertEquals("processing-failed", failed.get("error").get("code").asText());
      assertFalse(failed.get("error").get("message").asText().isEmpty());
    }
  }

  @Test
  void aTicketOpensOneSocketOnlyAndMustBeThere() {
    String ticket = server.ticket(alice);
    try (WsClient first = WsClient.connect(server, "/ws?ticket=" + ticket)) {
      assertEquals(101, first.upgradeStatus);
      WsClient reused = WsClient.connect(server, "/ws?ticket=" + ticket);
      assertEquals(401, reused.upgradeStatus);
    }
    assertEquals(401, WsClient.connect(server, "/ws").upgradeStatus);
    assertEquals(401, WsClient.connect(server, "/ws?ticket=forged.ticket").upgradeStatus);
    assertEquals(401, WsClient.connect(server, "/ws?ticket=" + alice).upgradeStatus, "a session token is not a ticket");
  }

  @Test
  void browsersFromOtherOriginsAreRefused() {
    assertEquals(403, WsClient.connect(server, "/ws?ticket=" + server.ticket(alice), "https://evil.example").upgradeStatus);
    try (WsClient own = WsClient.connect(server, "/ws?ticket=" + server.ticket(alice), "http://127.0.0.1:" + server.port);
        WsClient dev = WsClient.connect(server, "/ws?ticket=" + server.ticket(alice), "http://localhost:5173")) {
      assertEquals(101, own.upgradeStatus);
      assertEquals(101, dev.upgradeStatus);
    }
  }

  @Test
  void badClientMessagesGetAnErrorAndTheSocketStaysOpen() {
    try (WsClient a = server.connect(alice)) {
      a.send("not json");
      assertEquals("bad-json", a.awaitType("error").get("code").asText());
      a.send("[1,2]");
      assertEquals("bad-message", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"dance\"}");
      assertEquals("unknown-type", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"subscribe\",\"topic\":\"secrets\"}");
      assertEquals("unknown-topic", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"ping\"}");
      assertTrue(a.awaitType("pong").has("timestamp"));
      assertFalse(a.isClosed());
    }
  }

  @Test
  void aMessageOver64KiBClosesTheSocketWith1009() {
    try (WsClient a = server.connect(alice)) {
      a.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
      assertEquals(1009, a.closeCode());
    }
  }

  @Test
  void statsAndChaosChangesArePushedToStatsSubscribers() {
    try (WsClient a = server.connect(alice); WsClient b = server.connect(bob)) {
      a.subscribe("stats");
      JsonNode stats = a.awaitType("stats");
      assertTrue(stats.get("connections").asInt() >= 2, stats.toString());
      assertTrue(stats.get("users").asInt() >= 2, stats.toString());
      assertTrue(stats.has("todos") && stats.has("queued"), stats.toString());
      server.send(HttpMethods.PUT, "/api/chaos", bob, "{\"processingFailureRate\":0.25}");
      JsonNode chaos = a.awaitType("chaos");
      assertEquals(0.25, chaos.get("settings").get("processingFailureRate").asDouble());
      assertTrue(b.barrier().stream().noneMatch(m -> m.path("type").asText().equals("chaos")), "bob did not subscribe");
    }
  }

  @Test
  void otherServicesNotifyAUserThroughInternalEvents() {
    try (WsClient a1 = server.connect(alice); WsClient a2 = server.connect(alice); WsClient b = server.connect(bob)) {
      String body = "{\"userId\":\"alice\",\"payload\":{\"type\":\"invoice.paid\",\"amount\":12}}";
      TestServer.Response r = server.post("/internal/events", null, body, RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
      assertEquals(202, r.status(), r.body());
      for (WsClient window : List.of(a1, a2)) {
        JsonNode paid = window.awaitType("invoice.paid");
        assertEquals(12, paid.get("amount").asInt());
        assertTrue(paid.has("timestamp"), "the server adds a timestamp");
      }
      String stamped = "{\"userId\":\"bob\",\"payload\":{\"type\":\"hello\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}}";
      server.post("/internal/events", null, stamped, RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
      List<JsonNode> bobs = b.collectUntil(m -> m.path("type").asText().equals("hello"));
      assertEquals("2026-01-01T00:00:00.000Z", bobs.get(bobs.size() - 1).get("timestamp").asText());
      assertTrue(bobs.stream().noneMatch(m -> m.path("type").asText().equals("invoice.paid")));

      assertEquals(401, server.post("/internal/events", null, body, RawHeader.create("Authorization", "Bearer wrong")).status());
      assertEquals(401, server.post("/internal/events", null, body).status());
      RoutesTest.assertProblem(server.post("/internal/events", null, "{\"userId\":\"a b\",\"payload\":{\"type\":\"x\"}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123")), 400, "userId");
      RoutesTest.assertProblem(server.post("/internal/events", null, "{\"userId\":\"alice\",\"payload\":[]}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123")), 400, "payload");
      RoutesTest.assertProblem(server.post("/internal/events", null, "{\"userId\":\"alice\",\"payload\":{\"type\":3}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123")), 400, "payload.type");
      // the fields the server numbers personal messages with are the server's: not silently overwritten
      RoutesTest.assertProblem(server.post("/internal/events", null, "{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"seq\":7}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123")), 400, "payload.seq");
      RoutesTest.assertProblem(server.post("/internal/events", null, "{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"epoch\":\"e\"}}", RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123")), 400, "payload.epoch");

      TestServer.Response metrics = server.send(HttpMethods.GET, "/internal/metrics?gc=true", null, null, RawHeader.create("Authorization", "Bearer test-ingest-key-0123456789abcdef0123"));
      assertEquals(200, metrics.status());
      assertTrue(metrics.json().get("sockets").asInt() >= 3, metrics.body());
      assertTrue(metrics.json().get("heapUsedBytes").asLong() > 0, metrics.body());
      assertEquals(401, server.get("/internal/metrics", null).status());
    }
  }
}
