package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limit on commands queued per todo, reached and released against the real server: each
 * command waits 300 ms in its todo's queue, so a queue of two fills up.
 */
class QueueLimitTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer("""
        edf.chaos { min-delay = 300ms, max-delay = 300ms }
        edf.limits.queued-per-todo = 2
        """);
  }

  static TestServer.Response send(String method, String path, String token, String body, String key) {
    return TodoLimitsTest.send(method, path, token, body, key);
  }

  @Test
  void aCommandForATodoWhoseQueueIsFullIsRefusedWholeAndItsKeyIsFreeOnceTheQueueDrains() {
    String carol = server.signIn("carol");
    WsClient socket = server.connect(carol);
    socket.awaitType("welcome");
    String id = UUID.randomUUID().toString();
    Set<String> accepted = new HashSet<>();
    accepted.add(TodoLimitsTest.create(carol, id, "c-" + UUID.randomUUID()));
    TestServer.Response second = send("PATCH", "/api/todos/" + id, carol, "{\"text\":\"second\"}", UUID.randomUUID().toString());
    assertEquals(202, second.status(), second.body());
    accepted.add(second.json().get("commandId").asText());

    String key = "third-" + UUID.randomUUID();
    TestServer.Response full = send("PATCH", "/api/todos/" + id, carol, "{\"text\":\"third\"}", key);
    assertProblem(full, 429, null);
    assertEquals("urn:edf:problem:queue-full", full.json().get("type").asText());
    assertEquals("1", full.header("Retry-After"));

    TestServer.Response again = Eventually.get(() -> {
      TestServer.Response r = send("PATCH", "/api/todos/" + id, carol, "{\"text\":\"third\"}", key);
      return r.status() == 202 ? r : null;
    });
    accepted.add(again.json().get("commandId").asText());

    Set<String> outcomes = new HashSet<>();
    long lastVersion = 0;
    while (outcomes.size() < 3) {
      JsonNode outcome = socket.await(m -> m.path("type").asText().startsWith("command."), Duration.ofSeconds(10));
      assertEquals("command.succeeded", outcome.get("type").asText(), outcome.toString());
      outcomes.add(outcome.get("commandId").asText());
      lastVersion = outcome.get("data").get("version").asLong();
    }
    assertEquals(accepted, outcomes, "an outcome for every 202, none for the refused request");
    assertTrue(socket.barrier().stream().noneMatch(m -> m.path("type").asText().startsWith("command.")), "and nothing more");
    assertEquals(3, lastVersion, "applied: the create, the second, and the third once");
    socket.close();
  }
}
