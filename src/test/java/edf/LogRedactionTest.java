package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

  /** What came back on a raw connection: status, headers (lower-case names), body. */
  record RawResponse(int status, Map<String, String> headers, String body) {}

  @Test
  void malformedRequestsCarryingSecretsLeaveNoneInTheLog() throws Exception {
    String token = server.signIn("alice");
    String ticket = server.ticket(token);
    String host = "Host: 127.0.0.1:" + server.port + "\r\n";
    List<RawResponse> parserAnswers = new ArrayList<>();

    // an illegal request target with the ticket in its query (Pekko used to log the whole line)
    for (String bad : new String[] {"%zz", "\"<x>\"", "a\u007fb", "{x}|^`", "\u00e9"}) {
      RawResponse r = raw("GET /ws?ticket=" + ticket + "&x=" + bad + " HTTP/1.1\r\n" + host + "\r\n");
      if (r.status() == 400) parserAnswers.add(r);
    }
    assertFalse(parserAnswers.isEmpty(), "at least one illegal target was refused by the parser");
    // a URI over the limit
    RawResponse longUri = raw("GET /ws?ticket=" + ticket + "&pad=" + "x".repeat(9000) + " HTTP/1.1\r\n" + host + "\r\n");
    assertEquals(414, longUri.status(), longUri.body());
    parserAnswers.add(longUri);
    // a header value over the limit, and one with a character a header may not hold
    RawResponse longHeader = raw("GET /api/todos HTTP/1.1\r\n" + host
        + "Authorization: Bearer " + token + " " + "x".repeat(9000) + "\r\n\r\n");
    assertEquals(431, longHeader.status(), longHeader.body());
    parserAnswers.add(longHeader);
    RawResponse controlInHeader = raw("GET /api/todos HTTP/1.1\r\n" + host + "Authorization: Bearer " + token + "\u0001\r\n\r\n");
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
    RawResponse badUpgrade = raw("GET /ws?ticket=" + ticket + " HTTP/1.1\r\n" + host + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
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
    for (RawResponse r : parserAnswers) {
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

  /** Sends bytes as they are (Pekko's client would refuse to) and reads the one answer. */
  RawResponse raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) break;
        head.write(b);
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      if (lines.length == 0 || lines[0].isEmpty()) return new RawResponse(-1, Map.of(), "");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      return new RawResponse(status, headers, new String(body, StandardCharsets.UTF_8));
    }
  }
}
