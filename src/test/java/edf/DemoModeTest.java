package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.junit.jupiter.api.Test;

/**
 * edf.auth.mode = demo (the default) at the routes: a session token stops working when it expires,
 * and who may change the chaos settings.
 */
class DemoModeTest {

  @Test
  void anExpiredSessionTokenGets401() {
    try (TestServer server = TestServer.start("edf.auth.token-ttl = 1s")) {
      TestServer.Response session = server.post("/api/session", null, "{\"userId\":\"alice\"}");
      assertEquals(200, session.status(), session.body());
      String token = session.json().get("token").asText();
      Instant expiresAt = Instant.parse(session.json().get("expiresAt").asText());
      TestServer.Response first = server.get("/api/todos", token);
      // the server checked the token before the answer arrived: if that was before expiresAt, it was valid
      if (Instant.now().isBefore(expiresAt)) assertEquals(200, first.status(), "a fresh token works");
      TestServer.Response expired = Eventually.get(() -> {
        TestServer.Response r = server.get("/api/todos", token);
        return r.status() == 401 ? r : null;
      });
      assertProblem(expired, 401, null);
      assertEquals(401, server.post("/api/ws-ticket", token, null).status());
      assertEquals(200, server.get("/api/todos", server.signIn("alice")).status(), "signing in again helps");
    }
  }

  @Test
  void anyoneMayChangeChaosByDefaultAndTheChangeSaysWho() {
    try (TestServer server = TestServer.start()) {
      String alice = server.signIn("alice");
      String bob = server.signIn("bob");
      assertEquals("null", server.get("/api/chaos", bob).json().get("changedBy").toString(), "nobody changed it since the start");
      try (WsClient watcher = server.connect(bob)) {
        watcher.subscribe("stats");
        TestServer.Response changed = server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"maxDelayMs\":5}");
        assertEquals(200, changed.status(), changed.body());
        assertEquals("alice", changed.json().get("changedBy").asText());
        JsonNode pushed = watcher.await(m -> m.path("type").asText().equals("chaos"), Duration.ofSeconds(10));
        assertEquals("alice", pushed.get("changedBy").asText());
        assertEquals(5, pushed.get("settings").get("maxDelayMs").asInt());
        assertEquals("alice", server.get("/api/chaos", bob).json().get("changedBy").asText());
      }
    }
  }

  @Test
  void theDemoCanCloseChaosToEveryone() {
    try (TestServer server = TestServer.start("edf.chaos.demo-anyone-may-change = false")) {
      String alice = server.signIn("alice");
      TestServer.Response refused = server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"maxDelayMs\":5}");
      assertProblem(refused, 403, null);
      assertEquals("urn:edf:problem:forbidden", refused.json().get("type").asText());
      assertEquals(0, server.get("/api/chaos", alice).json().get("maxDelayMs").asInt(), "nothing changed");
    }
  }
}
