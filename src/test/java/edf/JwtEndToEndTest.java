package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * edf.auth.mode = jwt end to end: an identity provider made in the test (RSA and EC key pairs, an
 * HS256 secret), its JWKS served over HTTP from here or written to a file, and the real server
 * checking the tokens it mints; real sockets receive the outcomes and the chaos changes.
 */
class JwtEndToEndTest {
  static final String ISSUER = "https://idp.example.test";
  static final String AUDIENCE = "edf-api";
  static final String HS256_SECRET = "an-hs256-secret-of-at-least-32-bytes!";

  static RSAKey k1;
  static RSAKey stranger;
  static final AtomicReference<String> jwks = new AtomicReference<>();
  static final AtomicInteger jwksFetches = new AtomicInteger();
  static HttpServer idp;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
    stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
    publish(k1);
    idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    idp.createContext("/.well-known/jwks.json", exchange -> {
      jwksFetches.incrementAndGet();
      byte[] body = jwks.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    idp.start();
    server = TestServer.start(jwtMode("jwks-url = \"http://127.0.0.1:" + idp.getAddress().getPort() + "/.well-known/jwks.json\""));
  }

  @AfterAll
  static void stop() {
    server.close();
    idp.stop(0);
  }

  /** The identity provider now publishes exactly these keys (their public halves). */
  static void publish(JWK... keys) {
    jwks.set(new JWKSet(List.of(keys)).toString());
  }

  static String jwtMode(String keySource) {
    return "edf.auth.mode = jwt\n"
        + "edf.auth.jwt { issuer = \"" + ISSUER + "\", audience = \"" + AUDIENCE + "\", jwks-rate-limit = 0s, " + keySource + " }\n";
  }

  /** Claims a real provider would put in carol's access token, valid for five minutes; `edit` changes them. */
  static JWTClaimsSet claims(String sub, UnaryOperator<JWTClaimsSet.Builder> edit) {
    Instant now = Instant.now();
    return edit.apply(new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(List.of(AUDIENCE, "another-api"))
            .subject(sub)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))))
        .build();
  }

  static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
    try {
      JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(String sub, UnaryOperator<JWTClaimsSet.Builder> edit) {
    return sign(k1, JWSAlgorithm.RS256, claims(sub, edit));
  }

  static String hs256(String secret, String kid, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims);
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertUnauthorized(TestServer s, String token, String why) {
    TestServer.Response r = s.get("/api/todos", token);
    assertEquals(401, r.status(), why + ": " + r.body());
    assertProblem(r, 401, null);
    assertEquals("Bearer realm=\"edf\"", r.header("WWW-Authenticate"), why);
  }

  static boolean outcomeOf(JsonNode m, String commandId) {
    return m.path("type").asText().startsWith("command.") && commandId.equals(m.path("commandId").asText());
  }

  @Test
  void carolsTokenGetsHerATicketAndHerSocketGetsHerOutcomes() {
    String carol = rs256("carol", b -> b);
    try (WsClient socket = server.connect(carol)) {
      assertEquals(101, socket.upgradeStatus);
      socket.awaitType("welcome");
      String id = UUID.randomUUID().toString();
      TestServer.Response accepted = server.post("/api/todos", carol, "{\"id\":\"" + id + "\",\"text\":\"Carol's todo\"}");
      assertEquals(202, accepted.status(), accepted.body());
      String commandId = accepted.json().get("commandId").asText();
      JsonNode outcome = socket.await(m -> outcomeOf(m, commandId), Duration.ofSeconds(10));
      assertEquals("command.succeeded", outcome.get("type").asText());
      assertEquals("carol", outcome.get("data").get("updatedBy").asText(), "the command ran as the token's sub");
      assertEquals(200, server.get("/api/commands/" + commandId, carol).status());
    }
  }

  @Test
  void theJwksIsCachedBetweenRequests() {
    String carol = rs256("carol", b -> b);
    assertEquals(200, server.get("/api/todos", carol).status());
    int fetches = jwksFetches.get();
    for (int i = 0; i < 5; i++) assertEquals(200, server.get("/api/todos", rs256("carol", b -> b)).status());
    assertEquals(fetches, jwksFetches.get(), "known keys come from the cache");
  }

  @Test
  void tokensThatAreNotRightGet401() throws Exception {
    Instant now = Instant.now();
    assertUnauthorized(server, rs256("carol", b -> b.expirationTime(Date.from(now.minus(Duration.ofMinutes(5))))), "expired");
    assertUnauthorized(server, rs256("carol", b -> b.notBeforeTime(Date.from(now.plus(Duration.ofMinutes(5))))), "not yet valid");
    assertUnauthorized(server, rs256("carol", b -> b.issuer("https://evil.example.test")), "wrong issuer");
    assertUnauthorized(server, rs256("carol", b -> b.issuer(null)), "no issuer");
    assertUnauthorized(server, rs256("carol", b -> b.audience("another-api")), "wrong audience");
    assertUnauthorized(server, rs256("carol", b -> b.audience((String) null)), "no audience");
    assertUnauthorized(server, rs256("carol", b -> b.expirationTime(null)), "no expiry");
    assertUnauthorized(server, rs256(null, b -> b), "no sub");
    assertUnauthorized(server, rs256("carol smith", b -> b), "a sub that is no valid user id");
    assertUnauthorized(server, sign(stranger, JWSAlgorithm.RS256, claims("carol", b -> b)), "unknown kid");
    RSAKey impostor = new RSAKeyGenerator(2048).keyID("k1").generate();
    assertUnauthorized(server, sign(impostor, JWSAlgorithm.RS256, claims("carol", b -> b)), "wrong signature under a known kid");
    String valid = rs256("carol", b -> b);
    String[] parts = valid.split("\\.");
    String otherPayload = rs256("mallory", b -> b).split("\\.")[1];
    assertUnauthorized(server, parts[0] + "." + otherPayload + "." + parts[2], "a signature of another payload");
    assertUnauthorized(server, new PlainJWT(claims("carol", b -> b)).serialize(), "alg: none");
    assertUnauthorized(server, "eyJhbGciOiJub25lIn0." + parts[1] + ".", "alg: none with a real payload");
    assertUnauthorized(server, hs256(HS256_SECRET, "k1", claims("carol", b -> b)), "HS256 where only RS256/ES256 are configured");
    assertUnauthorized(server, sign(k1, JWSAlgorithm.RS512, claims("carol", b -> b)), "RS512: a good key but an algorithm not configured");
    assertUnauthorized(server, "not.a.jwt", "garbage");
    // and none of these was let in by a POST either
    assertEquals(401, server.post("/api/ws-ticket", new PlainJWT(claims("carol", b -> b)).serialize(), null).status());
  }

  @Test
  void aClockSkewWithinTheSettingIsForgiven() {
    Instant now = Instant.now();
    assertEquals(200, server.get("/api/todos", rs256("carol", b -> b.expirationTime(Date.from(now.minusSeconds(20))))).status(),
        "expired 20 s ago, within the 60 s skew");
  }

  @Test
  void aKeyRotatedIntoTheJwksIsPickedUp() throws Exception {
    RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2-" + UUID.randomUUID()).generate();
    String before = sign(k2, JWSAlgorithm.RS256, claims("carol", b -> b));
    assertUnauthorized(server, before, "a key the provider does not publish yet");
    publish(k1, k2);
    assertEquals(200, server.get("/api/todos", sign(k2, JWSAlgorithm.RS256, claims("carol", b -> b))).status(),
        "an unknown kid makes the server fetch the JWKS again");
    assertEquals(200, server.get("/api/todos", rs256("carol", b -> b)).status(), "the old key still works while published");
  }

  @Test
  void signInByNameIsGoneInJwtMode() {
    TestServer.Response r = server.post("/api/session", null, "{\"userId\":\"carol\"}");
    assertProblem(r, 404, null);
    assertEquals(404, server.get("/api/session", null).status());
  }

  @Test
  void onlyAnAdminChangesChaosAndEveryoneSeesWho() {
    String carol = rs256("carol", b -> b.claim("roles", List.of("user")));
    String dave = rs256("dave", b -> b.claim("roles", List.of("user", "admin")));
    String erin = rs256("erin", b -> b.claim("roles", "ops admin"));
    try (WsClient watcher = server.connect(carol)) {
      watcher.subscribe("stats");
      TestServer.Response refused = server.send(HttpMethods.PUT, "/api/chaos", carol, "{\"processingFailureRate\":0.5}");
      assertProblem(refused, 403, null);
      assertEquals("urn:edf:problem:forbidden", refused.json().get("type").asText());
      assertEquals(0.0, server.get("/api/chaos", carol).json().get("processingFailureRate").asDouble(), "a refused change changes nothing");
      assertProblem(server.send(HttpMethods.PUT, "/api/chaos", rs256("frank", b -> b), "{\"maxDelayMs\":0}"), 403, null);

      TestServer.Response changed = server.send(HttpMethods.PUT, "/api/chaos", dave, "{\"processingFailureRate\":0}");
      assertEquals(200, changed.status(), changed.body());
      assertEquals("dave", changed.json().get("changedBy").asText());
      JsonNode pushed = watcher.await(m -> m.path("type").asText().equals("chaos"), Duration.ofSeconds(10));
      assertEquals("dave", pushed.get("changedBy").asText());
      assertEquals(0.0, pushed.get("settings").get("processingFailureRate").asDouble());
      assertEquals("dave", server.get("/api/chaos", carol).json().get("changedBy").asText());

      assertEquals(200, server.send(HttpMethods.PUT, "/api/chaos", erin, "{\"maxDelayMs\":0}").status(), "roles as a space-separated string");
      assertEquals("erin", watcher.await(m -> m.path("type").asText().equals("chaos"), Duration.ofSeconds(10)).get("changedBy").asText());
    }
  }

  @Test
  void hs256TokensWithTheSharedSecret() {
    try (TestServer hs = TestServer.start(jwtMode("hs256-secret = \"" + HS256_SECRET + "\""))) {
      String carol = hs256(HS256_SECRET, null, claims("carol", b -> b));
      assertEquals(200, hs.get("/api/todos", carol).status());
      try (WsClient socket = hs.connect(carol)) {
        socket.awaitType("welcome");
      }
      assertUnauthorized(hs, hs256("another-secret-of-at-least-32-bytes-long", null, claims("carol", b -> b)), "another secret");
      assertUnauthorized(hs, hs256(HS256_SECRET, null, claims("carol", b -> b.audience("other"))), "wrong audience");
      assertUnauthorized(hs, rs256("carol", b -> b), "RS256 where only HS256 is configured");
      assertUnauthorized(hs, new PlainJWT(claims("carol", b -> b)).serialize(), "alg: none");
    }
  }

  @Test
  void es256KeysFromAJwksFileReadAgainForANewKid() throws Exception {
    ECKey e1 = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    ECKey e2 = new ECKeyGenerator(Curve.P_256).keyID("e2").generate();
    Path file = Files.createTempFile("edf-jwks", ".json");
    try {
      Files.writeString(file, new JWKSet(e1).toString());
      try (TestServer fromFile = TestServer.start(jwtMode("jwks-file = \"" + file.toString().replace("\\", "/") + "\""))) {
        assertEquals(200, fromFile.get("/api/todos", sign(e1, JWSAlgorithm.ES256, claims("carol", b -> b))).status());
        assertUnauthorized(fromFile, sign(e2, JWSAlgorithm.ES256, claims("carol", b -> b)), "not in the file yet");
        Files.writeString(file, new JWKSet(List.of(e1, e2)).toString());
        assertEquals(200, fromFile.get("/api/todos", sign(e2, JWSAlgorithm.ES256, claims("carol", b -> b))).status());
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void jwtModeRefusesToStartOnWhatCannotWork() {
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
        () -> settings(jwtMode("hs256-secret = \"short\"")));
    assertTrue(tooShort.getMessage().contains("EDF_JWT_HS256_SECRET"), tooShort.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(jwtMode("")))
        .getMessage().contains("exactly one of"));
    assertTrue(assertThrows(IllegalArgumentException.class,
            () -> settings(jwtMode("jwks-url = \"http://127.0.0.1:1/jwks\", hs256-secret = \"" + HS256_SECRET + "\"")))
        .getMessage().contains("exactly one of"));
    assertTrue(assertThrows(IllegalArgumentException.class,
            () -> settings("edf.auth.mode = jwt\nedf.auth.jwt { audience = a, hs256-secret = \"" + HS256_SECRET + "\" }"))
        .getMessage().contains("EDF_JWT_ISSUER"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(jwtMode("jwks-url = \"http://idp.example.test/jwks\"")))
        .getMessage().contains("must be an https URL"), "keys over plain http only from this machine");
    settings(jwtMode("jwks-url = \"https://idp.example.test/jwks\""));
    assertTrue(assertThrows(IllegalArgumentException.class,
            () -> settings(jwtMode("jwks-url = \"https://idp.example.test/jwks\"") + "edf.auth.jwt.jwks-rate-limit = 5m"))
        .getMessage().contains("EDF_JWT_JWKS_RATE_LIMIT"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> settings("edf.auth.mode = ldap"))
        .getMessage().contains("demo or jwt"));
  }

  static Settings settings(String overrides) {
    return Settings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve());
  }
}
