package edf;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/** Everything under `edf { }` in application.conf, read once at start. */
public record Settings(
    String host,
    int port,
    String publicOrigins,
    long maxBodyBytes,
    Duration askTimeout,
    String secret,
    Duration tokenTtl,
    Duration ticketTtl,
    String ingestKey,
    int maxTextLength,
    int maxRememberedPerUser,
    ChaosSettings chaos,
    boolean chaosUpdatable,
    long chaosSeed,
    int outgoingBuffer,
    int maxMessageBytes,
    int maxIncomingPerSecond,
    Duration messageTimeout,
    Duration keepAlive,
    Duration statsInterval,
    History history,
    Duration resumeTimeout,
    Duration drainTimeout,
    Presence.Timing presence,
    Limits limits,
    AuthMode authMode,
    Jwt jwt,
    boolean chaosDemoAnyoneMayChange,
    Metrics metrics) {

  /**
   * edf.metrics: where this node serves its Prometheus metrics ({@link edf.ops.NodeMetrics}); no port: not
   * served. Port 0: any free one (logged at start).
   */
  public record Metrics(String host, OptionalInt port) {
    static Metrics fromConfig(Config metrics) {
      String port = metrics.getString("port").strip();
      if (port.isEmpty()) return new Metrics(metrics.getString("host"), OptionalInt.empty());
      int number;
      try {
        number = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        number = -1;
      }
      if (number < 0 || number > 65535) {
        throw new IllegalArgumentException(
            "EDF_METRICS_PORT (edf.metrics.port) must be a port number (0: any free one) or empty (off), not " + port);
      }
      return new Metrics(metrics.getString("host"), OptionalInt.of(number));
    }
  }

  /** How much of each user's personal messages is kept for resuming connections. */
  public record History(int size, Duration maxAge) {}

  /** Who the callers of /api are (edf.auth.mode): anyone by name, or the JWT's subject. */
  public enum AuthMode {
    DEMO,
    JWT;

    static AuthMode parse(String value) {
      return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "demo" -> DEMO;
        case "jwt" -> JWT;
        default -> throw new IllegalArgumentException("EDF_AUTH_MODE (edf.auth.mode) must be demo or jwt, not " + value);
      };
    }
  }

  /**
   * edf.auth.jwt: where the identity provider's keys come from (exactly one of jwksUrl, jwksFile,
   * hs256Secret in jwt mode; empty strings mean unset) and what a token must say.
   */
  public record Jwt(
      String issuer,
      String audience,
      String jwksUrl,
      String jwksFile,
      String hs256Secret,
      String rolesClaim,
      Duration clockSkew,
      Duration jwksRateLimit) {

    static Jwt fromConfig(Config jwt) {
      return new Jwt(
          jwt.getString("issuer"),
          jwt.getString("audience"),
          jwt.getString("jwks-url"),
          jwt.getString("jwks-file"),
          jwt.getString("hs256-secret"),
          jwt.getString("roles-claim"),
          jwt.getDuration("clock-skew"),
          jwt.getDuration("jwks-rate-limit"));
    }

    /** Refuses to start on what jwt mode cannot work with, naming the setting. */
    void check() {
      if (issuer.isBlank()) throw new IllegalArgumentException("jwt mode needs EDF_JWT_ISSUER (edf.auth.jwt.issuer)");
      if (audience.isBlank()) throw new IllegalArgumentException("jwt mode needs EDF_JWT_AUDIENCE (edf.auth.jwt.audience)");
      long sources = java.util.stream.Stream.of(jwksUrl, jwksFile, hs256Secret).filter(v -> !v.isEmpty()).count();
      if (sources != 1)
        throw new IllegalArgumentException("jwt mode needs exactly one of EDF_JWT_JWKS_URL, EDF_JWT_JWKS_FILE, EDF_JWT_HS256_SECRET "
            + "(edf.auth.jwt.jwks-url, jwks-file, hs256-secret); " + sources + " are set");
      Auth.checkSecret("EDF_JWT_HS256_SECRET (edf.auth.jwt.hs256-secret)", hs256Secret);
      if (!jwksFile.isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(jwksFile)))
        throw new IllegalArgumentException("EDF_JWT_JWKS_FILE (edf.auth.jwt.jwks-file) is not a readable file: " + jwksFile);
      if (!jwksUrl.isEmpty() && !jwksUrl.startsWith("https://") && !isLoopbackHttp(jwksUrl))
        throw new IllegalArgumentException("EDF_JWT_JWKS_URL (edf.auth.jwt.jwks-url) must be an https URL "
            + "(plain http only on this machine: localhost, 127.0.0.1, [::1]), not " + jwksUrl);
      if (rolesClaim.isBlank()) throw new IllegalArgumentException("edf.auth.jwt.roles-claim must not be empty");
      if (clockSkew.isNegative()) throw new IllegalArgumentException("edf.auth.jwt.clock-skew must not be negative");
      // nimbus keeps a JWKS 5 minutes and refuses a rate limit that is not shorter
      if (jwksRateLimit.isNegative() || jwksRateLimit.compareTo(Duration.ofMinutes(5)) >= 0)
        throw new IllegalArgumentException("EDF_JWT_JWKS_RATE_LIMIT (edf.auth.jwt.jwks-rate-limit) must be from 0s to under 5m, not " + jwksRateLimit);
    }

    /** Keys fetched over plain HTTP could be swapped on the way: only from this machine. */
    private static boolean isLoopbackHttp(String url) {
      try {
        java.net.URI uri = java.net.URI.create(url);
        String host = uri.getHost();
        return "http".equals(uri.getScheme()) && host != null
            && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    /** Never prints the HS256 secret. */
    @Override
    public String toString() {
      return "Jwt[issuer=" + issuer + ", audience=" + audience + ", jwksUrl=" + jwksUrl + ", jwksFile=" + jwksFile
          + ", hs256Secret=" + (hs256Secret.isEmpty() ? "(none)" : "(set)") + ", rolesClaim=" + rolesClaim
          + ", clockSkew=" + clockSkew + "]";
    }
  }

  public static Settings fromConfig(Config root) {
    Config edf = root.getConfig("edf");
    Auth.checkSecret("EDF_SECRET (edf.auth.secret)", edf.getString("auth.secret"));
    Auth.checkSecret("EDF_INGEST_KEY (edf.auth.ingest-key)", edf.getString("auth.ingest-key"));
    PublicOrigins.check(edf.getString("http.public-origins"));
    AuthMode authMode = AuthMode.parse(edf.getString("auth.mode"));
    Jwt jwt = Jwt.fromConfig(edf.getConfig("auth.jwt"));
    if (authMode == AuthMode.JWT) jwt.check();
    return new Settings(
        edf.getString("http.host"),
        edf.getInt("http.port"),
        edf.getString("http.public-origins"),
        edf.getBytes("http.max-body-bytes"),
        edf.getDuration("http.ask-timeout"),
        edf.getString("auth.secret"),
        edf.getDuration("auth.token-ttl"),
        edf.getDuration("auth.ticket-ttl"),
        edf.getString("auth.ingest-key"),
        edf.getInt("commands.max-text-length"),
        edf.getInt("commands.max-remembered-per-user"),
        ChaosSettings.fromConfig(edf.getConfig("chaos")),
        edf.getBoolean("chaos.allow-update"),
        edf.getLong("chaos.seed"),
        edf.getInt("websocket.outgoing-buffer"),
        edf.getBytes("websocket.max-message-bytes").intValue(),
        edf.getInt("websocket.max-incoming-per-second"),
        edf.getDuration("websocket.message-timeout"),
        edf.getDuration("websocket.keep-alive"),
        edf.getDuration("websocket.stats-interval"),
        new History(edf.getInt("delivery.history-size"), edf.getDuration("delivery.history-max-age")),
        edf.getDuration("delivery.resume-timeout"),
        edf.getDuration("shutdown.drain-timeout"),
        new Presence.Timing(edf.getDuration("presence.silence-timeout"), edf.getDuration("presence.refresh-interval")),
        Limits.fromConfig(edf.getConfig("limits")),
        authMode,
        jwt,
        edf.getBoolean("chaos.demo-anyone-may-change"),
        Metrics.fromConfig(edf.getConfig("metrics")));
  }

  /**
   * Personal messages that may wait for one slow socket before it is closed with 4008: the
   * outgoing buffer, or half the history if that is smaller, so that the messages sent while the
   * client reconnects still fit and it gets `resumed`, not `resync` (docs/protocol.md, slow clients).
   */
  public int maxPersonalBacklog() {
    return Math.max(1, Math.min(outgoingBuffer, history.size() / 2));
  }

  /** Never prints the secret or the ingest key. */
  @Override
  public String toString() {
    return "Settings[host=" + host + ", port=" + port + ", secret=" + (secret.isEmpty() ? "(random)" : "(set)")
        + ", ingestKey=" + (ingestKey.isEmpty() ? "(none)" : "(set)") + ", chaos=" + chaos + ", authMode=" + authMode + "]";
  }
}
