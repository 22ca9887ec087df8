package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The limits on todos, in all and per user, reached and released against the real server. */
class TodoLimitsTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer("""
        edf.limits { todos = 3, todos-per-user = 2 }
        """);
  }

  static TestServer.Response send(String method, String path, String token, String body, String key) {
    return server.send(HttpMethods.lookup(method).get(), path, token, body, RawHeader.create("Idempotency-Key", key));
  }

  static String create(String token, String id, String key) {
    TestServer.Response r = send("POST", "/api/todos", token, "{\"id\":\"" + id + "\",\"text\":\"" + key + "\"}", key);
    assertEquals(202, r.status(), r.body());
    return r.json().get("commandId").asText();
  }

  static void awaitTodos(int count) {
    Eventually.get(() -> server.get("/api/todos", alice).json().size() == count ? true : null);
  }

  @Test
  void createsBeyondTheUsersLimitAndTheTotalGet429UntilATodoIsDeleted() {
    String a1 = UUID.randomUUID().toString();
    String key1 = "a1-" + UUID.randomUUID();
    String first = create(alice, a1, key1);
    create(alice, UUID.randomUUID().toString(), "a2-" + UUID.randomUUID());
    awaitTodos(2);

    TestServer.Response mine = send("POST", "/api/todos", alice, "{\"text\":\"a3\"}", UUID.randomUUID().toString());
    assertProblem(mine, 429, null);
    assertEquals("urn:edf:problem:too-many-todos-per-user", mine.json().get("type").asText());
    assertEquals("60", mine.header("Retry-After"));
    TestServer.Response retry = send("POST", "/api/todos", alice, "{\"id\":\"" + a1 + "\",\"text\":\"" + key1 + "\"}", key1);
    assertEquals(202, retry.status(), "a retry of an accepted create still gets its 202: " + retry.body());
    assertEquals(first, retry.json().get("commandId").asText());

    create(bob, UUID.randomUUID().toString(), "b1-" + UUID.randomUUID());
    awaitTodos(3);
    TestServer.Response all = send("POST", "/api/todos", bob, "{\"text\":\"b2\"}", UUID.randomUUID().toString());
    assertProblem(all, 429, null);
    assertEquals("urn:edf:problem:too-many-todos", all.json().get("type").asText());

    assertEquals(202, send("DELETE", "/api/todos/" + a1, alice, null, UUID.randomUUID().toString()).status());
    awaitTodos(2);
    create(alice, UUID.randomUUID().toString(), "a3-" + UUID.randomUUID());
    awaitTodos(3);
  }
}
