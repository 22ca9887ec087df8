package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every answer, the browser app's, the API's and the errors', carries the security headers. */
class SecurityHeadersTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer("");
  }

  static void assertSecurityHeaders(String what, java.util.function.Function<String, String> header) {
    String csp = header.apply("Content-Security-Policy");
    assertTrue(csp != null, what + ": no Content-Security-Policy");
    for (String directive : new String[] {
        "default-src 'self'", "script-src 'self';", "connect-src 'self'", "object-src 'none'",
        "base-uri 'none'", "frame-ancestors 'none'"}) {
      assertTrue(csp.contains(directive), what + ": " + directive + " in " + csp);
    }
    assertTrue(!csp.contains("unsafe-eval") && !csp.matches(".*script-src[^;]*unsafe-inline.*"), what + ": no inline or eval'd script: " + csp);
    assertEquals("nosniff", header.apply("X-Content-Type-Options"), what);
    assertEquals("no-referrer", header.apply("Referrer-Policy"), what);
  }

  static void assertSecurityHeaders(String what, TestServer.Response r) {
    assertSecurityHeaders(what + " (" + r.status() + ")", r::header);
  }

  @Test
  void theBrowserAppAndItsAssets() {
    TestServer.Response index = server.get("/", null);
    assertEquals(200, index.status());
    assertSecurityHeaders("/", index);
    assertSecurityHeaders("an app route", server.get("/some/client/route", null));
    Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index.body());
    assertTrue(script.find(), "the built app names its script: " + index.body());
    TestServer.Response asset = server.get(script.group(1), null);
    assertEquals(200, asset.status());
    assertSecurityHeaders(script.group(1), asset);
    assertTrue(!index.body().matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "no inline script in index.html, as the policy demands");
  }

  @Test
  void apiAnswersAndProblems() {
    assertSecurityHeaders("GET /api/todos", server.get("/api/todos", alice));
    assertSecurityHeaders("POST /api/session", server.post("/api/session", null, "{\"userId\":\"carol\"}"));
    assertSecurityHeaders("/health", server.get("/health", null));
    TestServer.Response unauthorized = server.get("/api/todos", null);
    assertEquals(401, unauthorized.status());
    assertSecurityHeaders("401", unauthorized);
    TestServer.Response invalid = server.post("/api/todos", alice, "{\"text\":\"\"}");
    assertEquals(400, invalid.status());
    assertSecurityHeaders("400", invalid);
    assertSecurityHeaders("404", server.get("/api/nothing-here", alice));
    assertSecurityHeaders("405", server.send(HttpMethods.PUT, "/api/todos", alice, "{}"));
    assertSecurityHeaders("405 outside /api", server.send(HttpMethods.POST, "/", null, "{}"));
    assertSecurityHeaders("/ws without a ticket", server.get("/ws", null));
    RawHttp.Response misdirected = RawHttp.request(server.port, "GET", "/health", "evil.example", "", null);
    assertEquals(421, misdirected.status());
    assertSecurityHeaders("421", misdirected::header);
    RawHttp.Response parser = RawHttp.send(server.port, "GET /x?a=%zz HTTP/1.1\r\nHost: 127.0.0.1:" + server.port + "\r\n\r\n");
    assertEquals(400, parser.status());
    assertSecurityHeaders("the parser's 400", parser::header);
  }

  @Test
  void pekkosOwnTimeoutAnswerIsAProblemWithTheHeaders() {
    // every /api/todos call is held for 3 s by the simulated network, longer than the request timeout
    try (TestServer slow = TestServer.start("pekko.http.server.request-timeout = 1s\nedf.chaos { min-http-delay = 3s, max-http-delay = 3s }")) {
      TestServer.Response r = slow.get("/api/todos", slow.signIn("alice"));
      RoutesTest.assertProblem(r, 503, null);
      assertEquals("urn:edf:problem:request-timeout", r.json().get("type").asText());
      assertSecurityHeaders("Pekko's timeout", r);
    }
  }
}
