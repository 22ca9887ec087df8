package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public origins: a browser's Origin on /ws must be one of them exactly, and on a loopback
 * bind every request's Host must be one of theirs (DNS rebinding gets 421).
 */
class OriginAndHostTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer("");
  }

  String own() {
    return "127.0.0.1:" + server.port;
  }

  static void assertProblem(RawHttp.Response r, int status, String type) {
    assertEquals(status, r.status(), r.toString());
    assertEquals("application/problem+json", r.header("Content-Type"), r.toString());
    assertTrue(r.body().contains("\"type\":\"urn:edf:problem:" + type + "\""), r.body());
  }

  @Test
  void aPageOnAnotherNameThatResolvesHereGets421() {
    // DNS rebinding: evil.example now resolves to 127.0.0.1, and its page calls the API with the browser's Host
    for (String host : new String[] {"evil.example:" + server.port, "evil.example", "127.0.0.2:" + server.port, "localhost.evil.example:" + server.port}) {
      assertProblem(RawHttp.request(server.port, "GET", "/api/todos", host, "Authorization: Bearer " + alice + "\r\n", null), 421, "misdirected-request");
      assertProblem(RawHttp.request(server.port, "POST", "/api/session", host, "", "{\"userId\":\"mallory\"}"), 421, "misdirected-request");
      assertProblem(RawHttp.request(server.port, "GET", "/", host, "", null), 421, "misdirected-request");
      assertProblem(RawHttp.request(server.port, "GET", "/health", host, "", null), 421, "misdirected-request");
    }
    // the same page's socket: Origin and Host agree (the old same-host check let it through)
    String evil = "evil.example:" + server.port;
    assertProblem(RawHttp.upgrade(server.port, "/ws?ticket=" + server.ticket(alice), evil, "http://" + evil), 421, "misdirected-request");
    // the server's own port on another loopback name is not one of its origins either
    assertProblem(RawHttp.request(server.port, "GET", "/health", "127.0.0.1:" + (server.port + 1), "", null), 421, "misdirected-request");
  }

  @Test
  void theServersOwnNamesAndTheViteDevServerAreAnswered() {
    for (String host : new String[] {own(), "localhost:" + server.port, "LocalHost:" + server.port, "localhost:5173", "127.0.0.1:5173"}) {
      RawHttp.Response r = RawHttp.request(server.port, "GET", "/api/todos", host, "Authorization: Bearer " + alice + "\r\n", null);
      assertEquals(200, r.status(), host + ": " + r);
    }
  }

  @Test
  void aBrowserFromAnOriginThatIsNotOneOfThePublicOnesGets403OnTheSocket() {
    String[] refused = {
      "https://127.0.0.1:" + server.port, // wrong scheme
      "http://127.0.0.1:" + (server.port + 1), // wrong port
      "http://127.0.0.1", // no port: 80
      "https://localhost:5173",
      "http://evil.example",
      "null",
      "http://127.0.0.1:" + server.port + "/path",
    };
    for (String origin : refused) {
      RawHttp.Response r = RawHttp.upgrade(server.port, "/ws?ticket=" + server.ticket(alice), own(), origin);
      assertProblem(r, 403, "origin-not-allowed");
    }
  }

  @Test
  void aPublicOriginOrNoOriginOpensTheSocket() {
    for (String origin : new String[] {"http://127.0.0.1:" + server.port, "http://localhost:" + server.port, "http://localhost:5173", "http://127.0.0.1:5173"}) {
      assertEquals(101, RawHttp.upgrade(server.port, "/ws?ticket=" + server.ticket(alice), own(), origin).status(), origin);
    }
    assertEquals(101, RawHttp.upgrade(server.port, "/ws?ticket=" + server.ticket(alice), own(), null).status(), "no Origin: not a browser");
    try (WsClient pekko = WsClient.connect(server, "/ws?ticket=" + server.ticket(alice))) {
      assertEquals(101, pekko.upgradeStatus);
    }
  }

  @Test
  void configuredOriginsReplaceTheDefault() {
    try (TestServer configured = TestServer.start("edf.http.public-origins = \"https://todo.example.com, http://intranet.test:8080\"")) {
      int port = configured.port;
      // behind a TLS proxy on the same machine: Host todo.example.com (port 443 implied)
      RawHttp.Response signIn = RawHttp.request(port, "POST", "/api/session", "todo.example.com", "", "{\"userId\":\"carol\"}");
      assertEquals(200, signIn.status(), signIn.toString());
      String token = signIn.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
      RawHttp.Response ticket = RawHttp.request(port, "POST", "/api/ws-ticket", "todo.example.com:443", "Authorization: Bearer " + token + "\r\n", null);
      assertEquals(200, ticket.status(), ticket.toString());
      String t = ticket.body().replaceAll(".*\"ticket\":\"([^\"]+)\".*", "$1");
      assertEquals(101, RawHttp.upgrade(port, "/ws?ticket=" + t, "todo.example.com", "https://todo.example.com").status());
      assertEquals(200, RawHttp.request(port, "GET", "/health", "intranet.test:8080", "", null).status());

      assertProblem(RawHttp.request(port, "GET", "/health", "127.0.0.1:" + port, "", null), 421, "misdirected-request");
      assertProblem(RawHttp.request(port, "GET", "/health", "todo.example.com:8443", "", null), 421, "misdirected-request");
      assertProblem(RawHttp.request(port, "GET", "/health", "intranet.test", "", null), 421, "misdirected-request");
      assertProblem(RawHttp.upgrade(port, "/ws?ticket=" + t, "todo.example.com", "http://todo.example.com"), 403, "origin-not-allowed");
      assertProblem(RawHttp.upgrade(port, "/ws?ticket=" + t, "todo.example.com", "http://localhost:5173"), 403, "origin-not-allowed");
    }
  }
}
