package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.event.Logging;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No token, ticket or ingest key in any log line, whatever the request: malformed requests that
 * carry a live ticket, a session token and the ingest key (an illegal request target, an over-long
 * URI, over-long and broken headers, a bad WebSocket upgrade, bad JSON), with Pekko and our code
 * logging at DEBUG; then the whole log of the run is read. Pekko's own answers to them are
 * problem+json that quote nothing of the request.
 */
class LogRedactionTest {
  static final String INGEST_KEY = "ingest-key-for-the-log-test-0123456789abcdef";
  static final String[] LOUD = {"org.apache.pekko", "edf"};
  static final Map<String, Level> levelsBefore = new LinkedHashMap<>();
  static TestServer server;

  @BeforeAll
  static void start() {
    for (String name : LOUD) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      levelsBefore.put(name, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    CapturedLog.startCapturing();
    server = TestServer.start("pekko.loglevel = DEBUG\nedf.auth.ingest-key = \"" + INGEST_KEY + "\"");
  }

  @AfterAll
  static void stop() {
    try {
      server.close();
    } finally {
      CapturedLog.stopCapturing();
      levelsBefore.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }
  }

  @Test
  void malformedRequestsCarryingSecretsLeaveNoneInTheLog() throws Exception {
    String token = server.signIn("alice");
    String ticket = server.ticket(token);
    String host = "Host: 127.0.0.1:" + server.port + "\r\n";
    List<RawHttp.Response> parserAnswers = new ArrayList<>();

    // an illegal request target with the ticket in its query (Pekko used to log the whole line)
    for (String bad : new String[] {"%zz", "\"<x>\"", "a\u007fb", "{x}|^`", "\u00e9"}) {
      RawHttp.Response r = raw("GET /ws?ticket=" + ticket + "&x=" + bad + " HTTP/1.1\r\n" + host + "\r\n");
      if (r.status() == 400) parserAnswers.add(r);
    }
    assertFalse(parserAnswers.isEmpty(), "at least one illegal target was refused by the parser");
    // a URI over the limit
    RawHttp.Response longUri = raw("GET /ws?ticket=" + ticket + "&pad=" + "x".repeat(9000) + " HTTP/1.1\r\n" + host + "\r\n");
    assertEquals(414, longUri.status(), longUri.body());
    parserAnswers.add(longUri);
    // a header value over the limit, and one with a character a header may not hold
    RawHttp.Response longHeader = raw("GET /api/todos HTTP/1.1\r\n" + host
        + "Authorization: Bearer " + token + " " + "x".repeat(9000) + "\r\n\r\n");
    assertEquals(431, longHeader.status(), longHeader.body());
    parserAnswers.add(longHeader);
    RawHttp.Response controlInHeader = raw("GET /api/todos HTTP/1.1\r\n" + host + "Authorization: Bearer " + token + "\u0001\r\n\r\n");
    assertEquals(400, controlInHeader.status(), controlInHeader.body());
    parserAnswers.add(controlInHeader);
    // headers the parser takes but cannot model: logged as "Illegal header" with their value at `full`
    for (String header : new String[] {
        "Authorization: Bearer " + token + " ,, \"",
        "Authorization: Bearer " + INGEST_KEY + " ,, \"",
        "Origin: http://" + token + ":x",
        "Cookie: =" + token + ";;\"",
        "Content-Type: text/" + token + "/x",
        "Accept: " + token + "/",
        "If-None-Match: " + token,
        "X-Forwarded-For: " + token,
        "Sec-WebSocket-Protocol: " + token + " ,,,,",
        "Host: " + token}) {
      raw("GET /api/todos HTTP/1.1\r\n" + (header.startsWith("Host:") ? "" : host) + header + "\r\n\r\n");
    }
    // a bad WebSocket upgrade with a live ticket and the token
    RawHttp.Response badUpgrade = raw("GET /ws?ticket=" + ticket + " HTTP/1.1\r\n" + host + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Version: 99\r\nSec-WebSocket-Key: nope\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    assertTrue(badUpgrade.status() >= 400, badUpgrade.toString());
    assertEquals(401, WsClient.connect(server, "/ws?ticket=" + ticket + "x").upgradeStatus);
    // an app path answered before its (chunked, unfinished) body: Pekko warns about the early answer
    raw("GET /app?ticket=" + ticket + " HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n");
    // bad JSON, bad fields and bad ingest events that contain the secrets
    server.post("/api/todos", token, "{\"text\":\"" + token + "\"");
    server.post("/api/todos", token, "{\"text\":\"" + ticket + "\",\"" + token + "\":1}");
    server.post("/api/session", null, "{\"userId\":\"" + token + "\"}");
    server.post("/internal/events", null, "{\"userId\":\"" + ticket + "\",\"payload\":", 
        org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Authorization", "Bearer " + INGEST_KEY));
    server.post("/internal/events", null, "{}",
        org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Authorization", "Bearer " + INGEST_KEY + "x"));

    // everything logged before this marker (through the same event stream) has reached the log
    String marker = "log-redaction-marker-" + UUID.randomUUID();
    Logging.getLogger(server.system.classicSystem(), LogRedactionTest.class).warning(marker);
    Eventually.get(() -> CapturedLog.lines().stream().anyMatch(l -> l.contains(marker)) ? true : null);

    List<String> log = CapturedLog.lines();
    assertTrue(log.stream().anyMatch(l -> l.contains("DEBUG")), "the log was read at DEBUG");
    List<String> leaks = log.stream()
        .filter(line -> secrets(token, ticket, INGEST_KEY).stream().anyMatch(line::contains))
        .toList();
    assertEquals(List.of(), leaks, "log lines with a secret");
    assertTrue(log.stream().anyMatch(l -> l.contains("Illegal request")), "the parser's refusals are logged");
    assertTrue(log.stream().anyMatch(l -> l.contains("Illegal header")), "headers it could not model are logged");
    assertTrue(log.stream().anyMatch(l -> l.contains("/app?ticket=***")), "Pekko's line with the URI is there, masked");
    for (RawHttp.Response r : parserAnswers) {
      assertEquals("application/problem+json", r.headers().get("content-type"), r.toString());
      JsonNode problem = new ObjectMapper().readTree(r.body());
      assertEquals(r.status(), problem.get("status").asInt(), r.body());
      assertTrue(problem.get("type").asText().startsWith("urn:edf:problem:"), r.body());
      assertFalse(problem.get("detail").asText().isEmpty(), r.body());
      assertEquals("nosniff", r.headers().get("x-content-type-options"), r.toString());
      for (String secret : secrets(token, ticket, INGEST_KEY)) assertFalse(r.body().contains(secret), r.body());
      assertFalse(r.body().contains("/ws") || r.body().contains("/api/todos"), "the request is not quoted: " + r.body());
    }
  }

  /** Each secret, and its signature alone (a log that cut a token in two would still show that). */
  static List<String> secrets(String... values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      out.add(v);
      int dot = v.indexOf('.');
      if (dot > 0) out.add(v.substring(dot + 1));
    }
    return out;
  }

  static RawHttp.Response raw(String request) {
    return RawHttp.send(server.port, request);
  }
}
