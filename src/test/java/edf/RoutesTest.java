package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint of the HTTP contract and every bad input, against the real server on a free port. */
class RoutesTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer(TestServer.BULK); // calmChaos changes chaos after every test
  }

  @AfterEach
  void calmChaos() {
    server.send(HttpMethods.PUT, "/api/chaos", alice,
        "{\"httpFailureRate\":0,\"lostResponseRate\":0,\"processingFailureRate\":0,\"minHttpDelayMs\":0,\"maxHttpDelayMs\":0,\"minDelayMs\":0,\"maxDelayMs\":0}");
  }

  static void assertProblem(TestServer.Response r, int status, String field) {
    assertEquals(status, r.status(), r.body());
    assertEquals("application/problem+json", r.contentType().replace("; charset=UTF-8", ""), r.body());
    assertEquals(status, r.json().get("status").asInt(), r.body());
    assertTrue(r.json().get("type").asText().startsWith("urn:edf:problem:"), r.body());
    assertFalse(r.json().path("detail").asText().isEmpty(), r.body());
    assertFalse(r.body().contains("at edf.") || r.body().contains("Exception"), "no stack trace: " + r.body());
    if (field != null) assertEquals(field, r.json().path("field").asText(), r.body());
  }

  // ---- session and auth ----

  @Test
  void signInGivesASignedExpiringToken() {
    TestServer.Response r = server.post("/api/session", null, "{\"userId\":\"carol.b-2_x\"}");
    assertEquals(200, r.status());
    assertEquals("carol.b-2_x", r.json().get("userId").asText());
    assertTrue(r.json().get("expiresAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    assertEquals(200, server.get("/api/todos", r.json().get("token").asText()).status());
  }

  @Test
  void signInRefusesBadUserIds() {
    assertProblem(server.post("/api/session", null, "{\"userId\":\"al ice\"}"), 400, "userId");
    assertProblem(server.post("/api/session", null, "{\"userId\":\"\"}"), 400, "userId");
    assertProblem(server.post("/api/session", null, "{\"userId\":\"" + "a".repeat(65) + "\"}"), 400, "userId");
    assertProblem(server.post("/api/session", null, "{\"userId\":7}"), 400, "userId");
    assertProblem(server.post("/api/session", null, "{}"), 400, "userId");
    assertProblem(server.post("/api/session", null, "{\"userId\":\"a\",\"admin\":true}"), 400, "admin");
    assertProblem(server.post("/api/session", null, "{\"userId\":"), 400, "body");
    assertProblem(server.post("/api/session", null, "[1]"), 400, "body");
  }

  @Test
  void everyOtherApiCallNeedsAValidToken() {
    assertProblem(server.get("/api/todos", null), 401, null);
    assertProblem(server.get("/api/todos", "garbage"), 401, null);
    assertProblem(server.get("/api/todos", alice + "x"), 401, null);
    assertProblem(server.post("/api/ws-ticket", null, null), 401, null);
    assertProblem(server.get("/api/chaos", null), 401, null);
    // a ticket is signed for another purpose and does not pass as a token
    assertProblem(server.get("/api/todos", server.ticket(alice)), 401, null);
    assertEquals("Bearer realm=\"edf\"", server.get("/api/todos", null).header("WWW-Authenticate"));
  }

  @Test
  void aTicketIsShortLived() {
    TestServer.Response r = server.post("/api/ws-ticket", alice, null);
    assertEquals(200, r.status());
    assertFalse(r.json().get("ticket").asText().isEmpty());
    java.time.Instant expires = java.time.Instant.parse(r.json().get("expiresAt").asText());
    assertTrue(expires.isBefore(java.time.Instant.now().plusSeconds(31)));
  }

  // ---- commands ----

  @Test
  void aCommandIsAcceptedWith202AndItsStatusUrl() {
    String id = UUID.randomUUID().toString();
    TestServer.Response r = server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"  Buy milk  \"}");
    assertEquals(202, r.status(), r.body());
    String commandId = r.json().get("commandId").asText();
    assertEquals(id, r.json().get("entityId").asText());
    assertEquals("accepted", r.json().get("status").asText());
    assertEquals("/api/commands/" + commandId, r.header("Location"));

    JsonNode status = awaitStatus(alice, commandId, "succeeded");
    assertEquals("create", status.get("type").asText());
    assertEquals(id, status.get("entityId").asText());
    assertNotNull(status.get("acceptedAt"));
    assertNotNull(status.get("completedAt"));

    JsonNode todo = awaitTodo(id);
    assertEquals("Buy milk", todo.get("text").asText(), "text is trimmed");
    assertEquals(1, todo.get("version").asInt());
    assertEquals("alice", todo.get("updatedBy").asText());
    assertFalse(todo.get("completed").asBoolean());
  }

  @Test
  void updatesAndDeletesAreCommandsToo() {
    String id = created("Walk the dog");
    TestServer.Response patch = server.send(HttpMethods.PATCH, "/api/todos/" + id, bob, "{\"completed\":true,\"expectedVersion\":1}");
    assertEquals(202, patch.status(), patch.body());
    awaitStatus(bob, patch.json().get("commandId").asText(), "succeeded");
    assertEquals(true, awaitTodo(id).get("completed").asBoolean());

    TestServer.Response stale = server.send(HttpMethods.DELETE, "/api/todos/" + id + "?expectedVersion=1", alice, null);
    assertEquals(202, stale.status());
    JsonNode failed = awaitStatus(alice, stale.json().get("commandId").asText(), "failed");
    assertEquals("conflict", failed.get("error").get("code").asText());

    TestServer.Response delete = server.send(HttpMethods.DELETE, "/api/todos/" + id + "?expectedVersion=2", alice, null);
    awaitStatus(alice, delete.json().get("commandId").asText(), "succeeded");
    assertProblem(server.get("/api/todos/" + id, alice), 404, null);
  }

  @Test
  void commandsThatBreakTheContractAreRefusedBeforeAcceptance() {
    assertProblem(server.post("/api/todos", alice, "{}"), 400, "text");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"   \"}"), 400, "text");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"" + "x".repeat(501) + "\"}"), 400, "text");
    assertEquals(202, server.post("/api/todos", alice, "{\"text\":\"" + "x".repeat(500) + "\"}").status());
    assertProblem(server.post("/api/todos", alice, "{\"text\":42}"), 400, "text");
    assertProblem(server.post("/api/todos", alice, "{\"text\":null}"), 400, "text");
    assertProblem(server.post("/api/todos", alice, "{\"id\":\"not-a-uuid\",\"text\":\"a\"}"), 400, "id");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\",\"priority\":1}"), 400, "priority");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\""), 400, "body");
    assertProblem(server.post("/api/todos", alice, ""), 400, "body");

    String id = UUID.randomUUID().toString();
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{}"), 400, "text");
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"expectedVersion\":1}"), 400, "text");
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"completed\":\"yes\"}"), 400, "completed");
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"completed\":true,\"expectedVersion\":-1}"), 400, "expectedVersion");
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"completed\":true,\"expectedVersion\":1.5}"), 400, "expectedVersion");
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/nope", alice, "{\"completed\":true}"), 400, "id");
    assertProblem(server.send(HttpMethods.DELETE, "/api/todos/nope", alice, null), 400, "id");
    assertProblem(server.send(HttpMethods.DELETE, "/api/todos/" + id + "?expectedVersion=abc", alice, null), 400, "expectedVersion");
    assertProblem(server.get("/api/todos/12345", alice), 400, "id");
  }

  @Test
  void aBodyOver64KiBIsRefusedWith413() {
    String big = "{\"text\":\"" + "x".repeat(70 * 1024) + "\"}";
    assertProblem(server.post("/api/todos", alice, big), 413, null);
  }

  @Test
  void unknownPathsAndWrongMethodsAreProblemsToo() {
    assertProblem(server.get("/api/nothing-here", alice), 404, null);
    TestServer.Response wrongMethod = server.send(HttpMethods.PUT, "/api/todos", alice, "{}");
    assertProblem(wrongMethod, 405, null);
    assertEquals("GET, POST", wrongMethod.header("Allow"));
    assertProblem(server.send(HttpMethods.DELETE, "/api/session", null, null), 405, null);
    assertProblem(server.get("/internal/nothing", null), 401, null);
  }

  @Test
  void anIdempotencyKeyAcceptsACommandOnce() {
    String key = UUID.randomUUID().toString();
    String body = "{\"text\":\"Pay rent\"}";
    TestServer.Response first = server.post("/api/todos", alice, body, RawHeader.create("Idempotency-Key", key));
    TestServer.Response retry = server.post("/api/todos", alice, body, RawHeader.create("Idempotency-Key", key));
    assertEquals(202, retry.status());
    assertEquals(first.json().get("commandId"), retry.json().get("commandId"));
    assertEquals(first.json().get("entityId"), retry.json().get("entityId"), "even a server-chosen id is kept");

    assertProblem(server.post("/api/todos", alice, "{\"text\":\"Pay bills\"}", RawHeader.create("Idempotency-Key", key)), 422, null);
    String both = "{\"id\":\"" + UUID.randomUUID() + "\",\"text\":\"Order\"}";
    String reordered = "{\"text\":\"Order\"," + both.substring(1, both.indexOf(",\"text\"")) + "}";
    String orderKey = UUID.randomUUID().toString();
    assertEquals(
        server.post("/api/todos", alice, both, RawHeader.create("Idempotency-Key", orderKey)).json().get("commandId"),
        server.post("/api/todos", alice, reordered, RawHeader.create("Idempotency-Key", orderKey)).json().get("commandId"),
        "the same fields in another order are the same request");
    // keys belong to their user: bob's use of the same key is a command of his own
    TestServer.Response bobs = server.post("/api/todos", bob, body, RawHeader.create("Idempotency-Key", key));
    assertEquals(202, bobs.status());
    assertNotEquals(first.json().get("commandId"), bobs.json().get("commandId"));

    assertProblem(server.post("/api/todos", alice, body, RawHeader.create("Idempotency-Key", "k".repeat(129))), 400, "Idempotency-Key");
  }

  @Test
  void commandStatusIsPrivateToItsUser() {
    TestServer.Response r = server.post("/api/todos", alice, "{\"text\":\"secret\"}");
    String commandId = r.json().get("commandId").asText();
    assertEquals(200, server.get("/api/commands/" + commandId, alice).status());
    assertProblem(server.get("/api/commands/" + commandId, bob), 404, null);
    assertProblem(server.get("/api/commands/" + UUID.randomUUID(), alice), 404, null);
  }

  // ---- chaos ----

  @Test
  void chaosCanBeReadAndChangedAndIsValidated() {
    TestServer.Response get = server.get("/api/chaos", alice);
    assertEquals(200, get.status());
    for (String f : new String[] {"httpFailureRate", "lostResponseRate", "processingFailureRate", "minHttpDelayMs", "maxHttpDelayMs", "minDelayMs", "maxDelayMs"})
      assertTrue(get.json().has(f), f);

    TestServer.Response put = server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"processingFailureRate\":0.5,\"maxDelayMs\":10}");
    assertEquals(200, put.status(), put.body());
    assertEquals(0.5, put.json().get("processingFailureRate").asDouble());
    assertEquals(10, server.get("/api/chaos", bob).json().get("maxDelayMs").asInt());

    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"httpFailureRate\":1.5}"), 400, "httpFailureRate");
    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"lostResponseRate\":-0.1}"), 400, "lostResponseRate");
    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"minDelayMs\":20,\"maxDelayMs\":10}"), 400, "maxDelayMs");
    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"minHttpDelayMs\":-1}"), 400, "minHttpDelayMs");
    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"httpFailureRate\":\"high\"}"), 400, "httpFailureRate");
    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"speed\":1}"), 400, "speed");
    assertEquals(0.5, server.get("/api/chaos", alice).json().get("processingFailureRate").asDouble(), "a refused change changes nothing");
  }

  @Test
  void httpChaosHitsOnlyTheTodoRoutes() {
    server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"httpFailureRate\":1}");
    TestServer.Response r = server.get("/api/todos", alice);
    assertProblem(r, 500, null);
    assertEquals("urn:edf:problem:simulated-failure", r.json().get("type").asText());
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"never accepted\"}"), 500, null);
    assertEquals(200, server.post("/api/session", null, "{\"userId\":\"x\"}").status());
    assertEquals(200, server.post("/api/ws-ticket", alice, null).status());
    assertEquals(200, server.get("/api/chaos", alice).status());
    assertEquals(200, server.get("/health", null).status());
    assertProblem(server.get("/api/commands/" + UUID.randomUUID(), alice), 404, null);
  }

  @Test
  void aLostResponseIsA500ButTheCommandWasAccepted() {
    String id = UUID.randomUUID().toString();
    String key = UUID.randomUUID().toString();
    server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"lostResponseRate\":1}");
    TestServer.Response lost = server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"lost\"}", RawHeader.create("Idempotency-Key", key));
    assertProblem(lost, 500, null);
    assertEquals("urn:edf:problem:lost-response", lost.json().get("type").asText());
    calmChaos();
    TestServer.Response retry = server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"lost\"}", RawHeader.create("Idempotency-Key", key));
    assertEquals(202, retry.status());
    awaitStatus(alice, retry.json().get("commandId").asText(), "succeeded");
  }

  @Test
  void chaosUpdatesCanBeTurnedOff() {
    try (TestServer locked = TestServer.start("edf.chaos.allow-update = false")) {
      String token = locked.signIn("alice");
      assertProblem(locked.send(HttpMethods.PUT, "/api/chaos", token, "{\"httpFailureRate\":0}"), 403, null);
      assertEquals(200, locked.get("/api/chaos", token).status());
    }
  }

  // ---- health and the browser app ----

  @Test
  void healthAndTheBrowserApp() {
    assertEquals(200, server.get("/health", null).status());
    TestServer.Response index = server.get("/", null);
    assertEquals(200, index.status());
    assertTrue(index.contentType().startsWith("text/html"), index.contentType());
    assertEquals(index.body(), server.get("/some/client/route", null).body(), "unknown app paths get the app");
  }

  // ---- helpers ----

  private String created(String text) {
    String id = UUID.randomUUID().toString();
    TestServer.Response r = server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}");
    awaitStatus(alice, r.json().get("commandId").asText(), "succeeded");
    awaitTodo(id);
    return id;
  }

  /** Polls the status URL, as a client does, until the command reaches the given status. */
  private JsonNode awaitStatus(String token, String commandId, String status) {
    return Eventually.get(() -> {
      TestServer.Response r = server.get("/api/commands/" + commandId, token);
      return r.status() == 200 && status.equals(r.json().get("status").asText()) ? r.json() : null;
    });
  }

  private JsonNode awaitTodo(String id) {
    return Eventually.get(() -> {
      TestServer.Response r = server.get("/api/todos/" + id, alice);
      return r.status() == 200 ? r.json() : null;
    });
  }

}
