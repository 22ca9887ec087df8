package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The text rules (TextRules, docs/protocol.md "Text rules") and strict JSON bodies, one rule at a
 * time, on every way text comes in: todo text, user ids, ingest payloads, socket messages.
 */
class StrictInputTest extends ServerTest {
  static final String INGEST_KEY = "test-ingest-key-0123456789abcdef0123";

  @BeforeAll
  static void start() {
    startServer("edf.auth.ingest-key = \"" + INGEST_KEY + "\"");
  }

  static TestServer.Response postBytes(String path, String token, byte[] body, String... headers) {
    HttpRequest request = HttpRequest.POST(server.url(path)).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    if (token != null) request = request.addHeader(RawHeader.create("Authorization", "Bearer " + token));
    for (int i = 0; i < headers.length; i += 2) request = request.addHeader(RawHeader.create(headers[i], headers[i + 1]));
    return server.await(Http.get(server.system).singleRequest(request));
  }

  static byte[] bytes(String prefix, int[] raw, String suffix) {
    byte[] a = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] c = suffix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + raw.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    for (int i = 0; i < raw.length; i++) out[a.length + i] = (byte) raw[i];
    System.arraycopy(c, 0, out, a.length + raw.length, c.length);
    return out;
  }

  static TestServer.Response ingest(String body) {
    return server.post("/internal/events", null, body, RawHeader.create("Authorization", "Bearer " + INGEST_KEY));
  }

  /** The todo once the read side has it. */
  static JsonNode todo(String id) {
    return Eventually.get(() -> {
      TestServer.Response r = server.get("/api/todos/" + id, alice);
      return r.status() == 200 ? r.json() : null;
    });
  }

  @Test
  void aBodyThatIsNotValidUtf8IsRefusedNotRepaired() {
    List<int[]> invalid = List.of(
        new int[] {0xC3, 0x28},             // a lead byte without its continuation
        new int[] {0xC0, 0xAF},             // overlong '/'
        new int[] {0xE0, 0x80, 0xAF},       // overlong, three bytes
        new int[] {0xED, 0xA0, 0x80},       // a surrogate half (U+D800) encoded as UTF-8
        new int[] {0xF4, 0x90, 0x80, 0x80}, // beyond U+10FFFF
        new int[] {0xFF},
        new int[] {0xE2, 0x82});            // truncated
    for (int[] raw : invalid) {
      TestServer.Response r = postBytes("/api/todos", alice, bytes("{\"text\":\"a", raw, "b\"}"));
      assertProblem(r, 400, "body");
      assertTrue(r.json().get("detail").asText().contains("UTF-8"), r.body());
    }
    assertProblem(postBytes("/api/session", null, bytes("{\"userId\":\"al", new int[] {0xC3, 0x28}, "\"}")), 400, "body");
    assertEquals(202, postBytes("/api/todos", alice, "{\"text\":\"caf\u00e9 \uD83D\uDE00\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).status());
  }

  @Test
  void duplicateKeysAndTrailingTextAreRefused() {
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\",\"text\":\"b\"}"), 400, "body");
    assertProblem(server.post("/api/session", null, "{\"userId\":\"alice\",\"userId\":\"bob\"}"), 400, "body");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\"} {\"text\":\"b\"}"), 400, "body");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\"}]"), 400, "body");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\"} 1"), 400, "body");
    assertProblem(server.send(HttpMethods.PUT, "/api/chaos", alice, "{\"httpFailureRate\":0,\"httpFailureRate\":0}"), 400, "body");
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"a\":{\"b\":1,\"b\":2}}}"), 400, "body");
    assertTrue(server.post("/api/todos", alice, "{\"text\":\"a\",\"text\":\"b\"}").json().get("detail").asText().contains("same key twice"));
    assertTrue(server.post("/api/todos", alice, "{\"text\":\"a\"} {}").json().get("detail").asText().contains("after the JSON value"));
    // white space after the value is fine
    assertEquals(202, server.post("/api/todos", alice, "{\"text\":\"a\"} \r\n").status());
  }

  @Test
  void anEmptyOrInvisibleUnknownKeyIsNamedSoThatItCanBeSeen() {
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\",\"\":1}"), 400, "body");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"a\",\"x\\u202e\\u0000\":1}"), 400, "x\\u202E\\u0000");
  }

  @Test
  void nestingAndNumbersHaveTheParsersLimits() {
    String deep = "[".repeat(998) + "]".repeat(998);
    assertEquals(202, ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"d\":" + deep + "}}").status());
    TestServer.Response tooDeep = ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"d\":[" + deep + "]}}");
    assertProblem(tooDeep, 400, "body");
    assertTrue(tooDeep.json().get("detail").asText().contains("too deeply nested"), tooDeep.body());
    assertEquals(202, ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"n\":" + "9".repeat(1000) + "}}").status());
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"n\":" + "9".repeat(1001) + "}}"), 400, "body");
    assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + UUID.randomUUID(), alice, "{\"completed\":true,\"expectedVersion\":" + "9".repeat(30) + "}"), 400, "expectedVersion");
  }

  static final List<String> REFUSED_IN_TODO_TEXT = List.of(
      "\\u0000", "\\u0007", "\\u001b[31m", "\\t", "\\n", "\\r", "\\u007f", "\\u0085", "\\u009b",
      "\\u2028", "\\u2029",
      "\\u202a", "\\u202b", "\\u202c", "\\u202d", "\\u202e", "\\u2066", "\\u2067", "\\u2068", "\\u2069",
      "\\u200b", "\\u2060", "\\ufeff", "\\u2062", "\\u180e",
      "\\ufffe", "\\uffff", "\\ufdd0",
      "\\ud800", "\\udc00", "\\udc00\\ud800", "x\\ud83d");

  @Test
  void todoTextWithControlBidiInvisibleOrBrokenCharactersIsRefused() {
    String id = UUID.randomUUID().toString();
    for (String bad : REFUSED_IN_TODO_TEXT) {
      TestServer.Response created = server.post("/api/todos", alice, "{\"text\":\"ab" + bad + "cd\"}");
      assertProblem(created, 400, "text");
      assertTrue(created.json().get("detail").asText().matches("text: must not contain .* \\(U\\+[0-9A-F]{4} at character \\d+\\)"), created.body());
      assertProblem(server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"text\":\"" + bad + "\"}"), 400, "text");
    }
    // even at the ends, where trimming would have hidden it
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"ab\\n\"}"), 400, "text");
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"\\u202eab\"}"), 400, "text");
  }

  @Test
  void textThatScriptsAndEmojiNeedIsKeptAndNormalisedToNfc() {
    List<String> kept = List.of(
        "\uD83D\uDC69\u200D\uD83D\uDCBB",                       // woman technologist: ZWJ
        "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",     // Persian with ZWNJ
        "\u05E9\u05DC\u05D5\u05DD \u200Fabc\u200E",            // Hebrew with RLM and LRM
        "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F", // flag of Scotland: tag characters
        "\u2764\uFE0F");                                        // a variation selector
    for (String text : kept) {
      String id = UUID.randomUUID().toString();
      TestServer.Response r = server.post("/api/todos", alice, server.mapper.createObjectNode().put("id", id).put("text", text).toString());
      assertEquals(202, r.status(), r.body());
      assertEquals(text, todo(id).get("text").asText());
    }
    String id = UUID.randomUUID().toString();
    assertEquals(202, server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"  Cafe\\u0301 \\u212b  \"}").status());
    assertEquals("Caf\u00e9 \u00c5", todo(id).get("text").asText(), "NFC (e + combining acute is é; the Angstrom sign is Å) and trimmed");
    assertEquals(202, server.send(HttpMethods.PATCH, "/api/todos/" + id, alice, "{\"text\":\"n\\u0303\"}").status());
    assertEquals("\u00f1", Eventually.get(() -> {
      String t = todo(id).get("text").asText();
      return t.equals("Caf\u00e9 \u00c5") ? null : t;
    }));
  }

  @Test
  void theLengthLimitCountsNormalisedCharacters() {
    // 500 decomposed é are 1000 UTF-16 units but 500 characters once NFC
    assertEquals(202, server.post("/api/todos", alice, "{\"text\":\"" + "e\\u0301".repeat(500) + "\"}").status());
    assertProblem(server.post("/api/todos", alice, "{\"text\":\"" + "e\\u0301".repeat(501) + "\"}"), 400, "text");
  }

  @Test
  void userIdsKeepToTheirAlphabet() {
    for (String bad : List.of("al\\u202eice", "alice\\u0000", "al\\u200bice", "\\ud800", "alic\\u00e9", "alice\\n")) {
      assertProblem(server.post("/api/session", null, "{\"userId\":\"" + bad + "\"}"), 400, "userId");
      assertProblem(ingest("{\"userId\":\"" + bad + "\",\"payload\":{\"type\":\"x\"}}"), 400, "userId");
    }
  }

  @Test
  void ingestPayloadStringsKeepToTheRulesWhereverTheyAreAndLineBreaksAreAllowed() {
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"title\":\"a\\u202eb\"}}"), 400, "payload.title");
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\\u0000\"}}"), 400, "payload.type");
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"items\":[{\"n\":1},{\"name\":\"\\ud800\"}]}}"), 400, "payload.items[1].name");
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"a\":{\"b\":[[\"\\u0007\"]]}}}"), 400, "payload.a.b[0][0]");
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"ti\\u2066tle\":\"a\"}}"), 400, "payload.ti\\u2066tle");
    assertProblem(ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"x\",\"e\\u0301\":1,\"\\u00e9\":2}}"), 400, "payload.\u00e9");
    try (WsClient socket = server.connect(alice)) {
      TestServer.Response r = ingest("{\"userId\":\"alice\",\"payload\":{\"type\":\"note\",\"body\":\"line 1\\nline 2\\tend\",\"who\":[\"Jose\\u0301\"],\"Cafe\\u0301\":true}}");
      assertEquals(202, r.status(), r.body());
      JsonNode note = socket.awaitType("note");
      assertEquals("line 1\nline 2\tend", note.get("body").asText());
      assertEquals("Jos\u00e9", note.get("who").get(0).asText(), "NFC");
      assertTrue(note.get("Caf\u00e9").asBoolean(), "keys in NFC too: " + note);
    }
  }

  @Test
  void aSocketMessageThatBreaksTheRulesGetsAnErrorNamingTheFieldAndTheSocketStaysOpen() {
    try (WsClient socket = server.connect(alice)) {
      socket.send("{\"type\":\"subscribe\",\"topic\":\"to\\u202edos\"}");
      JsonNode error = socket.awaitType("error");
      assertEquals("bad-text", error.get("code").asText());
      assertEquals("topic", error.get("field").asText());
      assertTrue(error.get("message").asText().startsWith("topic: must not contain a bidi"), error.toString());

      socket.send("{\"type\":\"pi\\u0000ng\"}");
      assertEquals("type", socket.awaitType("error").get("field").asText());
      socket.send("{\"type\":\"presence\",\"entityId\":null,\"field\":\"\\udc00\"}");
      assertEquals("field", socket.awaitType("error").get("field").asText());
      socket.send("{\"type\":\"ping\",\"x\\u200b\":1}");
      assertEquals("x\\u200B", socket.awaitType("error").get("field").asText());

      socket.send("{\"type\":\"ping\",\"type\":\"ping\"}");
      JsonNode duplicate = socket.awaitType("error");
      assertEquals("bad-json", duplicate.get("code").asText());
      assertTrue(duplicate.get("message").asText().contains("same key twice"), duplicate.toString());
      socket.send("{\"type\":\"ping\"} {\"type\":\"ping\"}");
      JsonNode trailing = socket.awaitType("error");
      assertEquals("bad-json", trailing.get("code").asText());
      assertTrue(trailing.get("message").asText().contains("after the JSON value"), trailing.toString());

      socket.subscribe("todos");
      assertTrue(socket.barrier().stream().noneMatch(m -> m.path("type").asText().equals("error")));
      assertTrue(!socket.isClosed(), "the socket stays open");
    }
  }
}
