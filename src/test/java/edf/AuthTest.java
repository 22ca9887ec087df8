package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Session tokens and tickets: expiry on a clock the test moves, one spelling per token, the secret's length. */
class AuthTest {
  static final String SECRET = "a-secret-of-thirty-two-bytes-or-more";

  /** A clock that stands still until the test moves it. */
  static final class MovableClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-30T12:00:00Z"));

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  final MovableClock clock = new MovableClock();
  final Auth auth = new Auth(SECRET, Duration.ofHours(12), Duration.ofSeconds(30), clock);

  @Test
  void aSessionTokenIsValidUntilItsExpiryAndNotAMomentLonger() {
    String token = auth.issueToken("alice").value();
    assertEquals("alice", auth.verifyToken(token).orElseThrow().userId());
    clock.advance(Duration.ofHours(12).minusMillis(1));
    assertTrue(auth.verifyToken(token).isPresent(), "still valid a millisecond before expiry");
    clock.advance(Duration.ofMillis(1));
    assertTrue(auth.verifyToken(token).isEmpty(), "expired");
  }

  @Test
  void aTicketExpiresAfterItsShortLife() {
    String ticket = auth.issueTicket("alice").value();
    assertTrue(auth.verifyTicket(ticket).isPresent());
    clock.advance(Duration.ofSeconds(30));
    assertTrue(auth.verifyTicket(ticket).isEmpty());
  }

  @Test
  void aTokenIsAcceptedInItsOneSpellingOnly() {
    String token = auth.issueToken("alice").value();
    int dot = token.indexOf('.');
    String payload = token.substring(0, dot);
    String mac = token.substring(dot + 1);
    assertTrue(auth.verifyToken(payload + "." + mac).isPresent());
    assertTrue(auth.verifyToken(payload + "." + mac + "=").isEmpty(), "padding on the signature");
    // the last character of the signature carries unused bits: a neighbour that decodes alike is refused
    char last = mac.charAt(mac.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int index = alphabet.indexOf(last);
    String sibling = mac.substring(0, mac.length() - 1) + alphabet.charAt(index ^ 1);
    assertTrue(auth.verifyToken(payload + "." + sibling).isEmpty(), "other unused bits in the signature");
    assertTrue(auth.verifyTicket(token).isEmpty(), "a token is no ticket");
  }

  @Test
  void aSecretShorterThan32BytesIsRefusedWithTheWayToMakeOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Auth("change-me", Duration.ofHours(1), Duration.ofSeconds(30), clock));
    assertTrue(e.getMessage().contains("at least 32 bytes") && e.getMessage().contains("openssl rand"), e.getMessage());
    IllegalArgumentException fromConfig = assertThrows(IllegalArgumentException.class, () -> Settings.fromConfig(
        com.typesafe.config.ConfigFactory.parseString("edf.auth.secret = short").withFallback(com.typesafe.config.ConfigFactory.load())));
    assertTrue(fromConfig.getMessage().startsWith("EDF_SECRET"), fromConfig.getMessage());
    // none configured: a random key per start
    assertTrue(new Auth("", Duration.ofHours(1), Duration.ofSeconds(30), clock).verifyToken(auth.issueToken("alice").value()).isEmpty());
  }
}
