package edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The perf harness's contract, the same for both edges and for its Node baselines
 * ({@code baselines/common.mjs}): HMAC-signed session tokens, single-use 30 s WebSocket tickets,
 * the bearer ingest key, and the JSON of requests, responses and problems. An edge only maps HTTP
 * onto {@link #handle} and owns its sockets.
 */
final class Contract {

  static final int MAX_BODY = 64 * 1024;
  private static final long TOKEN_TTL_MS = 3_600_000;
  private static final long TICKET_TTL_MS = 30_000;
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  /** A response: status, body, and whether the body is a problem (application/problem+json). */
  record Reply(int status, byte[] body) {
    boolean problem() {
      return status >= 400;
    }
  }

  /** Where a validated ingest event goes: the edge writes {@code frame} to every socket of {@code userId}. */
  interface Pusher {
    void push(String userId, byte[] frame);
  }

  final ObjectMapper json = new ObjectMapper();
  private final byte[] ingestAuthorization;
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();

  private record Ticket(String userId, long expiresAt) {}

  Contract(String ingestKey, ScheduledExecutorService sweeper) {
    this.ingestAuthorization = ("Bearer " + ingestKey).getBytes(StandardCharsets.UTF_8);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
    sweeper.scheduleAtFixedRate(this::sweepTickets, 10, 10, TimeUnit.SECONDS);
  }

  static Contract fromEnvironment() {
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ticket-sweeper");
      t.setDaemon(true);
      return t;
    });
    return new Contract(env("INGEST_KEY", "bench-ingest-key"), sweeper);
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  /**
   * Every non-WebSocket request of the contract. {@code authorization} is the raw header or null,
   * {@code body} the whole request body (already bounded to {@link #MAX_BODY} by the edge).
   */
  Reply handle(String method, String path, String authorization, byte[] body, Pusher pusher) {
    switch (path) {
      case "/health":
        return "GET".equals(method) ? ok(200, "{\"status\":\"ok\"}") : problem(405, "method not allowed");
      case "/internal/events":
        return "POST".equals(method) ? ingest(authorization, body, pusher) : problem(405, "method not allowed");
      case "/api/session":
        return "POST".equals(method) ? session(body) : problem(405, "method not allowed");
      case "/api/ws-ticket":
        return "POST".equals(method) ? wsTicket(authorization) : problem(405, "method not allowed");
      case "/api/chaos":
        // loadgen's project target turns the product's chaos off first; this edge has none
        return "PUT".equals(method) && bearerUser(authorization) != null
            ? ok(200, "{}") : problem(401, "unauthorized");
      default:
        return problem(404, "not found");
    }
  }

  /** The user of a single-use ticket, or null when it is unknown, used or expired. */
  String consumeTicket(String ticket) {
    if (ticket == null) {
      return null;
    }
    Ticket t = tickets.remove(ticket);
    return t != null && t.expiresAt > System.currentTimeMillis() ? t.userId : null;
  }

  /** The reply to a client's text message: pong for {"type":"ping"}, an error for anything else. */
  byte[] onClientText(String text) {
    String type = null;
    try {
      JsonNode m = json.readTree(text);
      type = m != null && m.get("type") != null ? m.get("type").asText(null) : null;
    } catch (IOException e) {
      // not JSON: an error reply below
    }
    long now = System.currentTimeMillis();
    return ("ping".equals(type)
        ? "{\"type\":\"pong\",\"timestamp\":" + now + "}"
        : "{\"type\":\"error\",\"error\":{\"code\":\"bad-message\",\"message\":\"unknown message\"},\"timestamp\":" + now + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private Reply ingest(String authorization, byte[] body, Pusher pusher) {
    if (authorization == null
        || !MessageDigest.isEqual(authorization.getBytes(StandardCharsets.UTF_8), ingestAuthorization)) {
      return problem(401, "bad ingest key");
    }
    JsonNode ev = parse(body);
    if (ev == null) {
      return problem(400, "malformed JSON");
    }
    JsonNode user = ev.get("userId");
    if (user == null || !user.isTextual() || !USER_ID.matcher(user.asText()).matches()) {
      return problem(400, "userId");
    }
    JsonNode payload = ev.get("payload");
    if (!(payload instanceof ObjectNode message)) {
      return problem(400, "payload");
    }
    // server-added field, like the product's and the baselines'; ms since epoch
    message.put("timestamp", System.currentTimeMillis());
    pusher.push(user.asText(), write(message));
    return ok(202, "{\"status\":\"accepted\"}");
  }

  private Reply session(byte[] body) {
    JsonNode b = parse(body);
    if (b == null) {
      return problem(400, "malformed JSON");
    }
    JsonNode user = b.get("userId");
    if (user == null || !user.isTextual() || !USER_ID.matcher(user.asText()).matches()) {
      return problem(400, "userId");
    }
    long expiresAt = System.currentTimeMillis() + TOKEN_TTL_MS;
    ObjectNode claims = json.createObjectNode().put("u", user.asText()).put("e", expiresAt);
    String signed = B64.encodeToString(write(claims));
    String token = signed + "." + B64.encodeToString(macs.get().doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    return reply(200, json.createObjectNode().put("userId", user.asText()).put("token", token).put("expiresAt", expiresAt));
  }

  private Reply wsTicket(String authorization) {
    String userId = bearerUser(authorization);
    if (userId == null) {
      return problem(401, "unauthorized");
    }
    byte[] raw = new byte[24];
    random.nextBytes(raw);
    String ticket = B64.encodeToString(raw);
    long expiresAt = System.currentTimeMillis() + TICKET_TTL_MS;
    tickets.put(ticket, new Ticket(userId, expiresAt));
    return reply(200, json.createObjectNode().put("ticket", ticket).put("expiresAt", expiresAt));
  }

  private String bearerUser(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return null;
    }
    String token = authorization.substring(7);
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      String signed = token.substring(0, dot);
      byte[] want = macs.get().doFinal(signed.getBytes(StandardCharsets.US_ASCII));
      if (!MessageDigest.isEqual(B64D.decode(token.substring(dot + 1)), want)) {
        return null;
      }
      JsonNode claims = json.readTree(B64D.decode(signed));
      return claims.path("e").asLong() > System.currentTimeMillis() ? claims.path("u").asText(null) : null;
    } catch (IllegalArgumentException | IOException e) {
      return null;
    }
  }

  private void sweepTickets() {
    long now = System.currentTimeMillis();
    tickets.values().removeIf(t -> t.expiresAt <= now);
  }

  private JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? null : json.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private byte[] write(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Reply reply(int status, JsonNode node) {
    return new Reply(status, write(node));
  }

  private static Reply ok(int status, String body) {
    return new Reply(status, body.getBytes(StandardCharsets.UTF_8));
  }

  Reply problem(int status, String title) {
    return reply(status, json.createObjectNode().put("type", "about:blank").put("title", title).put("status", status));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
