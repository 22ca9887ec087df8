package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-user rate limits (commands, ingested events, chaos changes) and sockets per user, each
 * reached (429 with Retry-After, or the close code) and released again, against the real server
 * with small limits.
 */
class LimitsTest extends ServerTest {
  static final String INGEST_KEY = "test-ingest-key-0123456789abcdef0123";

  @BeforeAll
  static void start() {
    startServer("""
        edf.auth.ingest-key = "%s"
        edf.limits {
          commands { per-second = 1, burst = 3 }
          events { per-second = 1, burst = 3 }
          chaos-changes { per-second = 1, burst = 2 }
          sockets-per-user = 2
        }
        """.formatted(INGEST_KEY));
  }

  static void assertTooMany(TestServer.Response r, String type) {
    assertProblem(r, 429, null);
    assertEquals("urn:edf:problem:" + type, r.json().get("type").asText(), r.body());
    assertEquals("1", r.header("Retry-After"), "whole seconds until the next token: " + r.headers());
  }

  static TestServer.Response create(String token) {
    return server.post("/api/todos", token, "{\"text\":\"limited\"}", RawHeader.create("Idempotency-Key", UUID.randomUUID().toString()));
  }

  @Test
  void commandsPerUserAreLimitedAfterABurstAndReleasedByTheRefill() {
    String carol = server.signIn("carol");
    for (int i = 0; i < 3; i++) assertEquals(202, create(carol).status(), "the burst");
    assertTooMany(create(carol), "too-many-commands");
    assertTooMany(server.send(HttpMethods.DELETE, "/api/todos/" + UUID.randomUUID(), carol, null), "too-many-commands");
    assertEquals(202, create(alice).status(), "another user is not limited by carol's commands");
    Eventually.get(() -> create(carol).status() == 202 ? true : null);
  }

  @Test
  void ingestedEventsPerAddressedUserAreLimitedAndReleased() {
    String body = "{\"userId\":\"dave\",\"payload\":{\"type\":\"ping\"}}";
    RawHeader key = RawHeader.create("Authorization", "Bearer " + INGEST_KEY);
    for (int i = 0; i < 3; i++) assertEquals(202, server.post("/internal/events", null, body, key).status(), "the burst");
    assertTooMany(server.post("/internal/events", null, body, key), "too-many-events");
    assertEquals(202, server.post("/internal/events", null, "{\"userId\":\"erin\",\"payload\":{\"type\":\"ping\"}}", key).status(),
        "events for another user are not limited by dave's");
    Eventually.get(() -> server.post("/internal/events", null, body, key).status() == 202 ? true : null);
  }

  @Test
  void chaosChangesPerUserAreLimitedAndReleased() {
    String frank = server.signIn("frank");
    String calm = "{\"httpFailureRate\":0}";
    for (int i = 0; i < 2; i++) assertEquals(200, server.send(HttpMethods.PUT, "/api/chaos", frank, calm).status(), "the burst");
    assertTooMany(server.send(HttpMethods.PUT, "/api/chaos", frank, calm), "too-many-chaos-changes");
    assertEquals(200, server.get("/api/chaos", frank).status(), "reading is not limited");
    Eventually.get(() -> server.send(HttpMethods.PUT, "/api/chaos", frank, calm).status() == 200 ? true : null);
  }

  @Test
  void aUsersSocketBeyondTheLimitGetsAnErrorAndCloseCode4029AndClosingOneLetsTheNextIn() {
    String gina = server.signIn("gina");
    List<WsClient> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      WsClient socket = server.connect(gina);
      socket.awaitType("welcome");
      open.add(socket);
    }
    WsClient third = server.connect(gina);
    JsonNode error = third.awaitType("error");
    assertEquals("too-many-sockets", error.get("code").asText(), error.toString());
    assertEquals(SocketSession.TOO_MANY_SOCKETS, third.closeCode());
    assertTrue(third.seen().stream().noneMatch(m -> m.contains("welcome")), "refused before any position: " + third.seen());

    WsClient other = server.connect(alice);
    other.awaitType("welcome");
    other.close();

    open.remove(0).close();
    WsClient next = Eventually.get(() -> {
      WsClient attempt = server.connect(gina);
      JsonNode first = attempt.await(m -> true, Duration.ofSeconds(10));
      if (first.path("type").asText().equals("welcome")) return attempt;
      attempt.closeCode();
      return null;
    });
    next.close();
    open.forEach(WsClient::close);
  }
}
