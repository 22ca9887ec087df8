package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Presence and conflicts over real sockets against the real server. */
class CollaborationTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer("edf.presence.silence-timeout = 1s\nedf.presence.refresh-interval = 200ms");
  }

  String createTodo(String text) {
    String id = UUID.randomUUID().toString();
    String commandId = server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}").json().get("commandId").asText();
    Eventually.get(() -> server.get("/api/todos/" + id, alice).status() == 200 ? commandId : null);
    return id;
  }

  static boolean is(JsonNode m, String type) {
    return type.equals(m.path("type").asText());
  }

  @Test
  void othersSeeWhoEditsWhichFieldAndWhenTheyLeave() {
    String id = createTodo("Plan the trip");
    try (WsClient b = server.connect(bob)) {
      b.subscribe("todos");
      b.awaitType("presence.snapshot");
      WsClient a = server.connect(alice);
      String aliceWindow = a.awaitType("welcome").get("windowId").asText();
      a.send("{\"type\":\"presence\",\"entityId\":\"" + id + "\",\"field\":\"text\"}");
      JsonNode editing = b.await(m -> is(m, "presence.changed") && aliceWindow.equals(m.path("windowId").asText()), Duration.ofSeconds(10));
      assertEquals("alice", editing.get("userId").asText());
      assertEquals(id, editing.get("entityId").asText());
      assertEquals("text", editing.get("field").asText());

      try (WsClient late = server.connect(bob)) {
        late.subscribe("todos");
        JsonNode snapshot = late.awaitType("presence.snapshot");
        assertTrue(snapshot.toString().contains(aliceWindow) && snapshot.toString().contains("\"field\":\"text\""), snapshot.toString());
      }

      a.close();
      JsonNode left = b.await(m -> is(m, "presence.left") && aliceWindow.equals(m.path("windowId").asText()), Duration.ofSeconds(5));
      assertEquals("alice", left.get("userId").asText());
    }
  }

  @Test
  void aWindowThatGoesSilentDisappearsWithoutAGoodbye() {
    try (WsClient b = server.connect(bob); WsClient a = server.connect(alice)) {
      b.subscribe("todos");
      String aliceWindow = a.awaitType("welcome").get("windowId").asText();
      a.send("{\"type\":\"presence\",\"entityId\":null,\"field\":null}");
      b.await(m -> is(m, "presence.changed") && aliceWindow.equals(m.path("windowId").asText()), Duration.ofSeconds(10));
      // how soon, with a manual clock: PresenceTest
      b.await(m -> is(m, "presence.left") && aliceWindow.equals(m.path("windowId").asText()), Duration.ofSeconds(10));
      assertTrue(!a.isClosed(), "the socket itself stays open");
    }
  }

  @Test
  void badPresenceMessagesGetErrors() {
    String id = createTodo("Valid one");
    try (WsClient a = server.connect(alice)) {
      a.send("{\"type\":\"presence\",\"entityId\":\"not-a-uuid\",\"field\":null}");
      assertEquals("bad-presence", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"presence\",\"entityId\":\"" + id + "\",\"field\":\"colour\"}");
      assertEquals("bad-presence", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"presence\",\"entityId\":null,\"field\":\"text\"}");
      assertEquals("bad-presence", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"presence\",\"entityId\":null,\"colour\":\"red\"}");
      assertEquals("bad-presence", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"presence\",\"entityId\":\"" + UUID.randomUUID() + "\",\"field\":null}");
      assertEquals("unknown-todo", a.awaitType("error").get("code").asText());
      for (int i = 0; i < 10; i++) a.send("{\"type\":\"presence\",\"entityId\":null,\"field\":null}");
      assertEquals("rate-limited", a.awaitType("error").get("code").asText());
      a.send("{\"type\":\"ping\"}");
      a.awaitType("pong");
    }
  }

  @Test
  void theLaterOfTwoStaleEditsFailsWithAConflictThatCarriesTheCurrentTodo() {
    String id = createTodo("Buy milk");
    try (WsClient b = server.connect(bob)) {
      TestServer.Response first = server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"text\":\"Buy oat milk\",\"expectedVersion\":1}");
      TestServer.Response second = server.send(HttpMethods.PATCH, "/api/todos/" + id, bob, "{\"text\":\"Buy soy milk\",\"expectedVersion\":1}");
      assertEquals(202, first.status());
      assertEquals(202, second.status());
      String bobs = second.json().get("commandId").asText();
      JsonNode conflict = b.await(m -> bobs.equals(m.path("commandId").asText()), Duration.ofSeconds(10));
      assertEquals("command.failed", conflict.get("type").asText());
      assertEquals("conflict", conflict.get("error").get("code").asText());
      assertEquals("Buy oat milk", conflict.get("data").get("text").asText());
      assertEquals(2, conflict.get("data").get("version").asInt());
      assertEquals("alice", conflict.get("data").get("updatedBy").asText());
    }
  }
}
