package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A fuzz test of the request parsers against the real server: table-driven cases plus a few hundred
 * generated from a fixed seed (printed with every failure; another with -Dedf.fuzz.seed=N). Random
 * JSON shapes, wrong types, deep nesting, huge numbers and strings, empty and duplicate keys, and
 * strings with every kind of troublesome character (controls, bidi, invisible, surrogate halves,
 * invalid and overlong UTF-8, BOM, NUL) go to every endpoint that reads input and over the socket.
 * Every HTTP answer must be 2xx or a 4xx problem+json (a 400 naming its field), never 5xx; every
 * socket answer a normal message or an `error`, with the socket still open.
 */
class InputFuzzTest extends ServerTest {
  static final long SEED = Long.getLong("edf.fuzz.seed", 20261130L);
  static final String INGEST_KEY = "test-ingest-key-0123456789abcdef0123";
  static final int MAX_BODY = 64 * 1024;
  static final int RANDOM_HTTP_CASES = 300;
  static final int RANDOM_SOCKET_CASES = 100;
  static final int RANDOM_RAW_FRAME_CASES = 40;
  static final ObjectMapper MAPPER = new ObjectMapper();

  static WsClient socket;
  static RawFrameClient rawSocket;

  @BeforeAll
  static void start() throws Exception {
    // the limits would answer most cases with 429 (or slow the socket down) before their input is read
    startServer("edf.auth.ingest-key = \"" + INGEST_KEY + "\"\nedf.websocket.max-incoming-per-second = 10000\n"
        + "edf.limits { commands { per-second = 100000, burst = 100000 }, events { per-second = 100000, burst = 100000 },"
        + " chaos-changes { per-second = 100000, burst = 100000 }, sockets-per-user = 1000 }");
    socket = server.connect(alice);
    rawSocket = new RawFrameClient(server.port, "/ws?ticket=" + server.ticket(bob));
  }

  @AfterAll
  static void closeSockets() throws Exception {
    socket.close();
    rawSocket.close();
  }

  // ---- what goes into strings ----

  /** Escapes inside a JSON string, written as they are (ASCII). */
  static final List<String> ESCAPES = List.of(
      "\\u0000", "\\u0001", "\\u0007", "\\u001b", "\\u001f", "\\t", "\\n", "\\r", "\\b", "\\f", "\\u007f", "\\u0080",
      "\\u0085", "\\u009f", "\\u00ad", "\\u061c", "\\u180e", "\\u200b", "\\u200c", "\\u200d", "\\u200e", "\\u200f",
      "\\u2028", "\\u2029", "\\u202a", "\\u202b", "\\u202c", "\\u202d", "\\u202e", "\\u2060", "\\u2063", "\\u2066",
      "\\u2067", "\\u2068", "\\u2069", "\\u206f", "\\ufeff", "\\ufff9", "\\ufffe", "\\uffff", "\\ufdd0", "\\ud800",
      "\\udbff", "\\udc00", "\\udfff", "\\ud83d\\ude00", "\\udc00\\ud83d", "\\\\", "\\\"", "\\/", "e\\u0301", "\\u212b",
      // malformed escapes
      "\\x41", "\\u12", "\\u00G0", "\\", "\\U0041");

  /** Text written as UTF-8, valid or not as JSON inside a string (a raw tab or NUL is not). */
  static final List<String> RAW_TEXT = List.of(
      "a", "Z", " ", "0", "-", "é", "e\u0301", "😀", "👩‍💻", "שלום", "مرحبا", "漢字", "\u202e", "\u2066", "\u200b", "\ufeff",
      "\u0000", "\t", "\n", "\u0085", "\u2028", "{", "}", "[", "]", ":", ",", "'", "<script>", "%00", "../",
      "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F");

  /** Bytes that are not UTF-8: invalid, overlong, surrogate halves, beyond U+10FFFF, truncated. */
  static final List<int[]> RAW_BYTES = List.of(
      new int[] {0x80}, new int[] {0xBF}, new int[] {0xC0, 0x80}, new int[] {0xC0, 0xAF}, new int[] {0xC1, 0xBF},
      new int[] {0xE0, 0x80, 0xAF}, new int[] {0xF0, 0x80, 0x80, 0xAF}, new int[] {0xED, 0xA0, 0x80},
      new int[] {0xED, 0xBF, 0xBF}, new int[] {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}, new int[] {0xF4, 0x90, 0x80, 0x80},
      new int[] {0xF8, 0x88, 0x80, 0x80, 0x80}, new int[] {0xFE}, new int[] {0xFF}, new int[] {0xC3},
      new int[] {0xE2, 0x82}, new int[] {0xF0, 0x9F, 0x98}, new int[] {0xC3, 0x28}, new int[] {0xEF, 0xBB, 0xBF});

  static final List<String> NUMBERS = List.of(
      "0", "-0", "1", "-1", "0.5", "1.5", "1e0", "1E2", "-1e-7", "1e308", "1e309", "-1e999999999", "1e-400",
      "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
      "0.30000000000000004", "4.9e-324", "1" + "0".repeat(999), "1" + "0".repeat(1500), "0." + "0".repeat(1200) + "1",
      // not JSON
      "01", "+1", ".5", "1.", "NaN", "Infinity", "-Infinity", "0x10", "1e", "--1");

  static final List<String> KEYS = List.of(
      "", " ", "text", "id", "userId", "payload", "type", "completed", "expectedVersion", "topic", "entityId", "field",
      "seq", "epoch", "timestamp", "__proto__", "constructor", "httpFailureRate", "minDelayMs", "maxHttpDelayMs");

  /** Builds one request body (or socket message) from the random source, bytes and all. */
  static final class Gen {
    final Random random;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final int maxString;

    Gen(Random random, int maxString) {
      this.random = random;
      this.maxString = maxString;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    Gen raw(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    <T> T pick(List<T> list) {
      return list.get(random.nextInt(list.size()));
    }

    boolean chance(int percent) {
      return random.nextInt(100) < percent;
    }

    void string() {
      raw("\"");
      if (chance(5)) {
        // a long one: near the body size limit, or the text limit
        int n = chance(50) ? maxString - random.nextInt(64) : 495 + random.nextInt(10);
        raw((chance(70) ? "x" : "é").repeat(Math.max(0, n)));
      } else {
        int atoms = random.nextInt(8);
        for (int i = 0; i < atoms; i++) atom();
      }
      raw("\"");
    }

    void atom() {
      int kind = random.nextInt(10);
      if (kind < 3) raw("ab");
      else if (kind < 6) raw(pick(ESCAPES));
      else if (kind < 8) raw(pick(RAW_TEXT));
      else for (int b : pick(RAW_BYTES)) out.write(b);
    }

    void number() {
      raw(pick(NUMBERS));
    }

    void value(int depth) {
      int kind = depth > 6 ? random.nextInt(5) : random.nextInt(9);
      switch (kind) {
        case 0, 1 -> string();
        case 2 -> number();
        case 3 -> raw(pick(List.of("true", "false", "null", "tru", "nul", "undefined")));
        case 4 -> raw(pick(List.of("{}", "[]", "\"\"", "[null]", "{\"\":\"\"}")));
        case 5, 6 -> object(depth + 1, List.of());
        case 7 -> array(depth + 1);
        default -> nested(pick(List.of(2, 30, 300, 999, 1001, 3000)));
      }
    }

    void array(int depth) {
      raw("[");
      int n = random.nextInt(5);
      for (int i = 0; i < n; i++) {
        if (i > 0) raw(",");
        value(depth);
      }
      if (chance(3)) raw(",");
      raw("]");
    }

    /** An object with some of the expected keys (with random values) and some others, maybe twice. */
    void object(int depth, List<String> expected) {
      raw("{");
      List<String> keys = new ArrayList<>();
      for (String key : expected) if (chance(80)) keys.add(key);
      int extra = chance(60) ? 0 : random.nextInt(4);
      for (int i = 0; i < extra; i++) keys.add(chance(50) ? pick(KEYS) : null);
      if (!keys.isEmpty() && chance(8)) keys.add(pick(keys)); // a duplicate
      java.util.Collections.shuffle(keys, random);
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) raw(",");
        if (keys.get(i) == null) string();
        else raw("\"" + keys.get(i) + "\"");
        raw(":");
        value(depth);
      }
      raw("}");
    }

    void nested(int levels) {
      boolean arrays = chance(50);
      for (int i = 0; i < levels; i++) raw(arrays ? "[" : "{\"a\":");
      number();
      for (int i = 0; i < levels; i++) raw(arrays ? "]" : "}");
    }
  }

  // ---- the endpoints ----

  /** One request the fuzzer sends, and how to show it in a failure. */
  record Call(String name, HttpMethod method, String path, byte[] body, boolean ingest) {
    String describe() {
      String text = body == null ? "<no body>" : new String(body, StandardCharsets.UTF_8);
      return method.value() + " " + path + " " + (text.length() > 300 ? text.substring(0, 300) + "… (" + body.length + " bytes)" : text);
    }
  }

  static final List<String> SESSION = List.of("userId");
  static final List<String> CREATE = List.of("id", "text");
  static final List<String> UPDATE = List.of("text", "completed", "expectedVersion");
  static final List<String> CHAOS = List.of(
      "httpFailureRate", "lostResponseRate", "processingFailureRate", "minHttpDelayMs", "maxHttpDelayMs", "minDelayMs", "maxDelayMs");
  static final List<String> EVENT = List.of("userId", "payload");

  /** A random request to one of the endpoints that read input. */
  static Call randomCall(Random random, int index) {
    int endpoint = random.nextInt(6);
    Gen gen = new Gen(random, MAX_BODY - 40);
    String name = "random #" + index;
    switch (endpoint) {
      case 0 -> {
        body(gen, SESSION);
        return new Call(name, HttpMethods.POST, "/api/session", gen.bytes(), false);
      }
      case 1 -> {
        body(gen, CREATE);
        return new Call(name, HttpMethods.POST, "/api/todos", gen.bytes(), false);
      }
      case 2 -> {
        body(gen, UPDATE);
        return new Call(name, HttpMethods.PATCH, "/api/todos/" + segment(random), gen.bytes(), false);
      }
      case 3 -> {
        String query = random.nextInt(4) == 0 ? "" : "?expectedVersion=" + queryValue(random) + (random.nextInt(5) == 0 ? "&expectedVersion=" + queryValue(random) : "")
            + (random.nextInt(6) == 0 ? "&" + queryValue(random) + "=" + queryValue(random) : "");
        return new Call(name, HttpMethods.DELETE, "/api/todos/" + segment(random) + query, null, false);
      }
      case 4 -> {
        body(gen, CHAOS);
        return new Call(name, HttpMethods.PUT, "/api/chaos", gen.bytes(), false);
      }
      default -> {
        // mostly a well-formed envelope, so that the payload's own strings are what is tested
        if (gen.chance(75)) {
          gen.raw("{\"userId\":").raw(gen.chance(85) ? "\"fuzz-" + random.nextInt(5) + "\"" : "\"\"").raw(",\"payload\":{\"type\":");
          gen.string();
          int fields = random.nextInt(4);
          for (int i = 0; i < fields; i++) {
            gen.raw(",");
            if (gen.chance(70)) gen.raw("\"f" + i + "\"");
            else gen.string();
            gen.raw(":");
            gen.value(1);
          }
          gen.raw("}}");
        } else {
          body(gen, EVENT);
        }
        return new Call(name, HttpMethods.POST, "/internal/events", gen.bytes(), true);
      }
    }
  }

  /** Mostly an object with the endpoint's fields; sometimes another shape, cut short or with more after it. */
  static void body(Gen gen, List<String> fields) {
    int shape = gen.random.nextInt(20);
    if (shape < 14) gen.object(0, fields);
    else if (shape < 17) gen.value(0);
    else if (shape == 17) gen.raw(gen.pick(List.of("", " ", "\ufeff{}", "\u0000", "{", "}", "{\"text\":", "null", "[]")));
    else {
      Gen inner = new Gen(gen.random, gen.maxString);
      inner.object(0, fields);
      byte[] whole = inner.bytes();
      if (shape == 18) gen.out.write(whole, 0, gen.random.nextInt(whole.length + 1)); // cut short
      else {
        gen.out.writeBytes(whole);
        gen.raw(gen.pick(List.of(" {}", "]", "}", " 1", "x", " \"a\"", "\u0000", ",", " //", "\n\n{\"a\":1}")));
      }
    }
  }

  /** A todo id in a path: mostly a UUID, else percent-encoded junk. */
  static String segment(Random random) {
    return random.nextInt(3) > 0 ? uuid(random) : queryValue(random);
  }

  /** A percent-encoded value: digits, huge or negative numbers, or troublesome bytes. */
  static String queryValue(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> String.valueOf(random.nextInt(5));
      case 1 -> new Gen(random, 0).pick(List.of("-1", "99999999999999999999", "1e3", "1.5", "", "%2B1", "0x1", "%20%31"));
      default -> {
        StringBuilder s = new StringBuilder();
        Gen gen = new Gen(random, 0);
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
          byte[] atom = random.nextBoolean() ? gen.pick(RAW_TEXT).getBytes(StandardCharsets.UTF_8) : toBytes(gen.pick(RAW_BYTES));
          for (byte b : atom) s.append(String.format("%%%02X", b & 0xFF));
        }
        yield s.toString();
      }
    };
  }

  /** A UUID from the seeded source, so that a rerun with the same seed sends the same requests. */
  static String uuid(Random random) {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  static byte[] toBytes(int[] raw) {
    byte[] out = new byte[raw.length];
    for (int i = 0; i < raw.length; i++) out[i] = (byte) raw[i];
    return out;
  }

  /** The table: the edges, each on every endpoint that reads a body. */
  static List<Call> tableCalls() {
    List<String> bodies = new ArrayList<>(List.of(
        "{\"text\":\"" + "x".repeat(MAX_BODY - 11) + "\"}",                 // exactly at the limit
        "{\"text\":\"" + "x".repeat(MAX_BODY - 10) + "\"}",                 // one byte over: 413
        "{\"text\":\"" + "\\u0000".repeat((MAX_BODY - 12) / 6) + "\"}",
        "{\"text\":\"" + "é".repeat((MAX_BODY - 12) / 2) + "\"}",
        "[".repeat(300) + "]".repeat(300),
        "{\"text\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
        "{\"a\":".repeat(1200) + "1" + "}".repeat(1200),
        "{\"text\":" + "9".repeat(5000) + "}",
        "{\"expectedVersion\":1e999999999,\"completed\":true}",
        "{\"\":\"\",\"\":\"\"}",
        "{\"text\":\"a\",\"text\":\"a\"}",
        "{\"userId\":\"alice\"}{\"userId\":\"bob\"}",
        "\ufeff{\"text\":\"a\"}",
        "{\"text\":\"a\"}\u0000",
        "{\"text\":\"a\u0000b\"}",
        "{\"text\"\u0000:\"a\"}",
        "{\"userId\":\"\\ud800\",\"payload\":{\"type\":\"\\udfff\",\"\\ud800\":\"x\"}}",
        "{\"httpFailureRate\":1e309,\"minDelayMs\":-9223372036854775809}",
        "{\"userId\":\"fuzz\",\"payload\":{\"type\":\"t\",\"deep\":" + "[".repeat(900) + "]".repeat(900) + "}}",
        "{\"userId\":\"fuzz\",\"payload\":{\"type\":\"t\",\"n\":" + "1".repeat(900) + ",\"d\":1e999999999,\"m\":-0.0e-99999}}"));
    List<Call> calls = new ArrayList<>();
    int i = 0;
    for (String body : bodies) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      calls.add(new Call("table #" + i, HttpMethods.POST, "/api/session", bytes, false));
      calls.add(new Call("table #" + i, HttpMethods.POST, "/api/todos", bytes, false));
      calls.add(new Call("table #" + i, HttpMethods.PATCH, "/api/todos/" + UUID.randomUUID(), bytes, false));
      calls.add(new Call("table #" + i, HttpMethods.PUT, "/api/chaos", bytes, false));
      calls.add(new Call("table #" + i, HttpMethods.POST, "/internal/events", bytes, true));
      i++;
    }
    for (int[] raw : RAW_BYTES) {
      byte[] prefix = "{\"userId\":\"fuzz\",\"text\":\"a".getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes(prefix);
      body.writeBytes(toBytes(raw));
      body.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
      calls.add(new Call("table bytes " + java.util.Arrays.toString(raw), HttpMethods.POST, "/api/todos", body.toByteArray(), false));
      calls.add(new Call("table bytes " + java.util.Arrays.toString(raw), HttpMethods.POST, "/api/session", body.toByteArray(), false));
    }
    for (String query : List.of("?expectedVersion=%00", "?expectedVersion=%ED%A0%80", "?expectedVersion=%C0%AF", "?expectedVersion=%FF",
        "?expectedVersion=1&expectedVersion=2", "?expectedVersion=" + "9".repeat(400), "?%E2%80%AE=1", "?expectedVersion")) {
      calls.add(new Call("table query " + query, HttpMethods.DELETE, "/api/todos/" + UUID.randomUUID() + query, null, false));
    }
    return calls;
  }

  // ---- HTTP ----

  @TestFactory
  Stream<DynamicTest> everyHttpAnswerIsAcceptedOrAProblemNeverA5xx() {
    Random random = new Random(SEED);
    List<Call> calls = new ArrayList<>(tableCalls());
    for (int i = 0; i < RANDOM_HTTP_CASES; i++) calls.add(randomCall(random, i));
    return calls.stream().map(call -> DynamicTest.dynamicTest(call.name() + ": " + call.method().value() + " " + abbreviate(call.path(), 60), () -> check(call)));
  }

  static void check(Call call) {
    TestServer.Response r;
    try {
      r = send(call);
    } finally {
      if (call.path().equals("/api/chaos")) calmChaos();
    }
    String context = "seed " + SEED + " (rerun with -Dedf.fuzz.seed=" + SEED + "), " + call.name() + ": " + call.describe()
        + "\n  -> " + r.status() + " " + r.contentType() + " " + abbreviate(r.body(), 400);
    if (r.status() >= 500) fail("a 5xx: " + context);
    assertTrue(r.status() >= 200 && r.status() < 300 || r.status() >= 400, "neither 2xx nor 4xx: " + context);
    assertNotNull(r.json(), "the body is JSON: " + context);
    if (r.status() >= 400) {
      assertEquals("application/problem+json", r.contentType().replace("; charset=UTF-8", ""), context);
      assertEquals(r.status(), r.json().path("status").asInt(), context);
      assertTrue(r.json().path("type").asText().startsWith("urn:edf:problem:"), context);
      if (r.status() == 400) assertFalse(r.json().path("field").asText().isEmpty(), "a 400 names its field: " + context);
    } else {
      assertEquals("application/json", r.contentType(), context);
    }
  }

  static TestServer.Response send(Call call) {
    HttpRequest request = HttpRequest.create(server.url(call.path())).withMethod(call.method());
    if (call.body() != null) request = request.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, call.body()));
    request = request.addHeader(RawHeader.create("Authorization", "Bearer " + (call.ingest() ? INGEST_KEY : alice)));
    return server.await(Http.get(server.system).singleRequest(request));
  }

  /** A fuzzed chaos change that happened to be valid must not turn the next requests into simulated 500s. */
  static void calmChaos() {
    TestServer.Response r = server.send(HttpMethods.PUT, "/api/chaos", alice,
        "{\"httpFailureRate\":0,\"lostResponseRate\":0,\"processingFailureRate\":0,\"minHttpDelayMs\":0,\"maxHttpDelayMs\":0,\"minDelayMs\":0,\"maxDelayMs\":0}");
    assertEquals(200, r.status(), r.body());
  }

  // ---- the socket ----

  static final List<String> SOCKET_FIELDS = List.of("type", "topic", "entityId", "field");

  static String randomMessage(Random random) {
    Gen gen = new Gen(random, 4000);
    int shape = random.nextInt(10);
    if (shape < 6) {
      gen.raw("{\"type\":").raw(gen.chance(70) ? "\"" + gen.pick(List.of("ping", "subscribe", "unsubscribe", "presence")) + "\"" : "");
      if (gen.out.size() == "{\"type\":".length()) gen.value(1);
      for (String field : List.of("topic", "entityId", "field")) {
        if (!gen.chance(40)) continue;
        gen.raw(",\"" + field + "\":");
        if (gen.chance(30)) gen.raw(gen.pick(List.of("\"todos\"", "\"stats\"", "\"text\"", "null", "\"" + uuid(random) + "\"")));
        else gen.value(1);
      }
      gen.raw("}");
    } else {
      body(gen, SOCKET_FIELDS);
    }
    return gen.out.toString(StandardCharsets.UTF_8);
  }

  @TestFactory
  Stream<DynamicTest> everySocketAnswerIsAMessageOrAnErrorAndTheSocketStaysOpen() {
    Random random = new Random(SEED + 1);
    List<String> messages = new ArrayList<>(List.of(
        "", " ", "null", "[]", "\"ping\"", "{}", "{\"type\":null}", "{\"type\":\"\"}", "{\"type\":\"ping\",\"type\":\"ping\"}",
        "{\"type\":\"ping\"}{\"type\":\"ping\"}", "{\"type\":\"ping\"} x", "{\"type\":\"\\ud800\"}", "{\"type\":\"subscribe\",\"topic\":\"todos\\u202e\"}",
        "{\"type\":\"presence\",\"entityId\":\"" + UUID.randomUUID() + "\",\"field\":\"text\\u0000\"}", "{\"type\":\"ping\",\"\":1}",
        "[".repeat(300) + "]".repeat(300), "{\"type\":" + "[".repeat(2000) + "]".repeat(2000) + "}", "{\"type\":\"ping\",\"n\":" + "9".repeat(3000) + "}",
        "{\"type\":\"" + "x".repeat(60_000) + "\"}", "\ufeff{\"type\":\"ping\"}", "{\"type\":\"ping\",\"x\":\"\u202e\u0000\u2066\"}"));
    for (int i = 0; i < RANDOM_SOCKET_CASES; i++) messages.add(randomMessage(random));
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String message = messages.get(i);
      String name = (i < messages.size() - RANDOM_SOCKET_CASES ? "table #" : "random #") + i;
      tests.add(DynamicTest.dynamicTest(name + ": " + abbreviate(message, 60), () -> checkSocket(name, message)));
    }
    return tests.stream();
  }

  static void checkSocket(String name, String message) {
    String context = "seed " + SEED + " (rerun with -Dedf.fuzz.seed=" + SEED + "), socket " + name + ": " + abbreviate(message, 300);
    // once closed, fail at once rather than wait for a pong that cannot come
    if (socket.isClosed()) fail("the socket was closed (" + socket.closeCode() + ") before: " + context);
    socket.send(message);
    List<JsonNode> answers;
    try {
      answers = socket.barrier();
    } catch (AssertionError e) {
      throw new AssertionError("no pong after the message (closed: " + (socket.isClosed() ? socket.closeCode() : "no") + "): " + context, e);
    }
    for (JsonNode answer : answers) assertNormalOrError(answer, context);
    assertFalse(socket.isClosed(), "the socket stays open: " + context);
  }

  static void assertNormalOrError(JsonNode answer, String context) {
    assertTrue(answer.isObject() && answer.path("type").isTextual(), "a message with a type: " + answer + " " + context);
    if (answer.get("type").asText().equals("error")) {
      assertTrue(answer.path("code").isTextual() && answer.path("message").isTextual(), "an error has a code and a message: " + answer + " " + context);
    }
  }

  @TestFactory
  Stream<DynamicTest> rawFramesAreAnsweredOrClosedWith1007WhenNotUtf8() {
    Random random = new Random(SEED + 2);
    List<byte[]> payloads = new ArrayList<>();
    for (int[] raw : RAW_BYTES) payloads.add(join("{\"type\":\"ping\",\"x\":\"a", toBytes(raw), "\"}"));
    for (int i = 0; i < RANDOM_RAW_FRAME_CASES; i++) {
      Gen gen = new Gen(random, 2000);
      body(gen, SOCKET_FIELDS);
      payloads.add(gen.bytes());
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      byte[] payload = payloads.get(i);
      String name = "frame #" + i;
      tests.add(DynamicTest.dynamicTest(name + ": " + abbreviate(new String(payload, StandardCharsets.UTF_8), 60), () -> checkRawFrame(name, payload)));
    }
    return tests.stream();
  }

  /**
   * A frame of valid UTF-8 gets its answer and leaves the socket open; one that is not UTF-8 closes
   * the socket with 1007 (RFC 6455 section 8.1 requires the close; Pekko HTTP's frame decoder does
   * it), on a socket of its own, never with 1011.
   */
  static void checkRawFrame(String name, byte[] payload) throws Exception {
    String context = "seed " + SEED + " (rerun with -Dedf.fuzz.seed=" + SEED + "), " + name + ": " + java.util.HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 200));
    if (!isUtf8(payload)) {
      try (RawFrameClient own = new RawFrameClient(server.port, "/ws?ticket=" + server.ticket(bob))) {
        own.sendText(payload);
        while (true) {
          RawFrameClient.Frame frame = own.read();
          if (frame.opcode() == 8) {
            assertEquals(1007, frame.closeCode(), "not UTF-8: closed with 1007 (invalid payload data): " + context);
            return;
          }
          assertNormalOrError(MAPPER.readTree(frame.text()), context);
        }
      }
    }
    rawSocket.sendText(payload);
    rawSocket.sendText("{\"type\":\"ping\"}");
    while (true) {
      RawFrameClient.Frame frame = rawSocket.read();
      if (frame.opcode() == 8) fail("closed with " + frame.closeCode() + ": " + context);
      JsonNode answer = MAPPER.readTree(frame.text());
      assertNormalOrError(answer, context);
      if (answer.get("type").asText().equals("pong")) return;
    }
  }

  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  static byte[] join(String prefix, byte[] middle, String suffix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(middle);
    out.writeBytes(suffix.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static String abbreviate(String s, int max) {
    String visible = s.replaceAll("[\\p{Cc}\\p{Cf}\\p{Cs}]", "�");
    return visible.length() <= max ? visible : visible.substring(0, max) + "…";
  }
}
