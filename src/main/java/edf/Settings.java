package edf;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

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
    Duration statsInterval,
    History history,
    Duration resumeTimeout,
    Duration drainTimeout,
    Presence.Timing presence,
    Limits limits) {

  /** How much of each user's personal messages is kept for resuming connections. */
  public record History(int size, Duration maxAge) {}

  public static Settings fromConfig(Config root) {
    Config edf = root.getConfig("edf");
    Auth.checkSecret("EDF_SECRET (edf.auth.secret)", edf.getString("auth.secret"));
    Auth.checkSecret("EDF_INGEST_KEY (edf.auth.ingest-key)", edf.getString("auth.ingest-key"));
    PublicOrigins.check(edf.getString("http.public-origins"));
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
        edf.getDuration("websocket.stats-interval"),
        new History(edf.getInt("delivery.history-size"), edf.getDuration("delivery.history-max-age")),
        edf.getDuration("delivery.resume-timeout"),
        edf.getDuration("shutdown.drain-timeout"),
        new Presence.Timing(edf.getDuration("presence.silence-timeout"), edf.getDuration("presence.refresh-interval")),
        Limits.fromConfig(edf.getConfig("limits")));
  }

  /** Never prints the secret or the ingest key. */
  @Override
  public String toString() {
    return "Settings[host=" + host + ", port=" + port + ", secret=" + (secret.isEmpty() ? "(random)" : "(set)")
        + ", ingestKey=" + (ingestKey.isEmpty() ? "(none)" : "(set)") + ", chaos=" + chaos + "]";
  }
}
