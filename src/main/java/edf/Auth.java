package edf;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks session tokens and WebSocket tickets with HMAC-SHA256. Both are
 * {@code base64url(payload) "." base64url(mac)}; a purpose prefix inside the MAC keeps a token from
 * passing as a ticket and the other way round. Tickets carry a random nonce so that a {@link
 * TicketRegistry} can refuse a second use. Stateless and thread-safe.
 */
public final class Auth {

  /** A checked token or ticket. The nonce is empty for session tokens. */
  public record Claims(String userId, Instant expiresAt, String nonce) {}

  /** An issued token or ticket and when it expires. */
  public record Issued(String value, Instant expiresAt) {}

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final Duration tokenTtl;
  private final Duration ticketTtl;
  private final Clock clock;

  /** The shortest secret accepted: as long as the HMAC-SHA256 key it becomes. */
  public static final int MIN_SECRET_BYTES = 32;

  /**
   * Refuses a secret too short to withstand an offline guess from one token. Empty means none is
   * configured: a random key per start.
   */
  public static void checkSecret(String name, String secret) {
    if (secret != null && !secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          name + " must be at least " + MIN_SECRET_BYTES + " bytes (it has "
              + secret.getBytes(StandardCharsets.UTF_8).length + "); make one with: openssl rand -base64 32");
    }
  }

  public Auth(String secret, Duration tokenTtl, Duration ticketTtl, Clock clock) {
    checkSecret("The secret (EDF_SECRET, edf.auth.secret)", secret);
    byte[] keyBytes;
    if (secret == null || secret.isEmpty()) {
      keyBytes = new byte[32];
      RANDOM.nextBytes(keyBytes);
    } else {
      keyBytes = secret.getBytes(StandardCharsets.UTF_8);
    }
    this.key = new SecretKeySpec(keyBytes, "HmacSHA256");
    this.tokenTtl = tokenTtl;
    this.ticketTtl = ticketTtl;
    this.clock = clock;
  }

  public static Auth fromSettings(Settings settings) {
    return new Auth(settings.secret(), settings.tokenTtl(), settings.ticketTtl(), Clock.systemUTC());
  }

  public Issued issueToken(String userId) {
    return issue("token", userId, tokenTtl, "");
  }

  public Issued issueTicket(String userId) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    return issue("ticket", userId, ticketTtl, B64.encodeToString(nonce));
  }

  public Optional<Claims> verifyToken(String token) {
    return verify("token", token);
  }

  /** Checks signature and expiry only; single use is the {@link TicketRegistry}'s job. */
  public Optional<Claims> verifyTicket(String ticket) {
    return verify("ticket", ticket).filter(c -> !c.nonce().isEmpty());
  }

  private Issued issue(String purpose, String userId, Duration ttl, String nonce) {
    Instant expiresAt = clock.instant().plus(ttl);
    String payload = userId + "\n" + expiresAt.toEpochMilli() + "\n" + nonce;
    String encoded = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    return new Issued(encoded + "." + B64.encodeToString(mac(purpose, encoded)), expiresAt);
  }

  private Optional<Claims> verify(String purpose, String value) {
    if (value == null || value.length() > 512) return Optional.empty();
    int dot = value.indexOf('.');
    if (dot <= 0) return Optional.empty();
    String encoded = value.substring(0, dot);
    String signature = value.substring(dot + 1);
    try {
      byte[] given = B64D.decode(signature);
      if (!MessageDigest.isEqual(given, mac(purpose, encoded))) return Optional.empty();
      byte[] payload = B64D.decode(encoded);
      // one spelling per token: padding or other bits that decode alike are refused
      if (!B64.encodeToString(given).equals(signature) || !B64.encodeToString(payload).equals(encoded)) {
        return Optional.empty();
      }
      String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
      if (parts.length != 3 || !TextRules.isUserId(parts[0])) return Optional.empty();
      Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(parts[1]));
      if (!clock.instant().isBefore(expiresAt)) return Optional.empty();
      return Optional.of(new Claims(parts[0], expiresAt, parts[2]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private byte[] mac(String purpose, String encodedPayload) {
    Mac mac = macs.get();
    mac.update(purpose.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) ':');
    return mac.doFinal(encodedPayload.getBytes(StandardCharsets.UTF_8));
  }

  /** One keyed Mac per thread: getInstance and init are costly, doFinal resets it for reuse. */
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
