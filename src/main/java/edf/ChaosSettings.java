package edf;

import com.typesafe.config.Config;
import java.util.Optional;

/** The simulated trouble: HTTP delays and 500s, lost responses, processing delays and failures. */
public record ChaosSettings(
    double httpFailureRate,
    double lostResponseRate,
    double processingFailureRate,
    long minHttpDelayMs,
    long maxHttpDelayMs,
    long minDelayMs,
    long maxDelayMs)
    implements CborSerializable {

  /** A change to some of the settings; null fields stay as they are. */
  public record Patch(
      Double httpFailureRate,
      Double lostResponseRate,
      Double processingFailureRate,
      Long minHttpDelayMs,
      Long maxHttpDelayMs,
      Long minDelayMs,
      Long maxDelayMs) {}

  /** These settings with the patch's fields applied (not yet validated). */
  public ChaosSettings with(Patch p) {
    return new ChaosSettings(
        p.httpFailureRate() != null ? p.httpFailureRate() : httpFailureRate,
        p.lostResponseRate() != null ? p.lostResponseRate() : lostResponseRate,
        p.processingFailureRate() != null ? p.processingFailureRate() : processingFailureRate,
        p.minHttpDelayMs() != null ? p.minHttpDelayMs() : minHttpDelayMs,
        p.maxHttpDelayMs() != null ? p.maxHttpDelayMs() : maxHttpDelayMs,
        p.minDelayMs() != null ? p.minDelayMs() : minDelayMs,
        p.maxDelayMs() != null ? p.maxDelayMs() : maxDelayMs);
  }

  /** No trouble at all: what tests and benchmarks start from. */
  public static final ChaosSettings NONE = new ChaosSettings(0, 0, 0, 0, 0, 0, 0);

  public static ChaosSettings fromConfig(Config chaos) {
    return new ChaosSettings(
        chaos.getDouble("http-failure-rate"),
        chaos.getDouble("lost-response-rate"),
        chaos.getDouble("processing-failure-rate"),
        chaos.getDuration("min-http-delay").toMillis(),
        chaos.getDuration("max-http-delay").toMillis(),
        chaos.getDuration("min-delay").toMillis(),
        chaos.getDuration("max-delay").toMillis());
  }

  /** The first invalid field, if any: rates must lie in [0,1], delays be non-negative with min <= max. */
  public Optional<FieldError> validate() {
    if (!isRate(httpFailureRate)) return rateError("httpFailureRate");
    if (!isRate(lostResponseRate)) return rateError("lostResponseRate");
    if (!isRate(processingFailureRate)) return rateError("processingFailureRate");
    if (minHttpDelayMs < 0) return negative("minHttpDelayMs");
    if (minDelayMs < 0) return negative("minDelayMs");
    if (maxHttpDelayMs < minHttpDelayMs)
      return Optional.of(new FieldError("maxHttpDelayMs", "must be at least minHttpDelayMs"));
    if (maxDelayMs < minDelayMs)
      return Optional.of(new FieldError("maxDelayMs", "must be at least minDelayMs"));
    if (maxHttpDelayMs > 60_000) return tooLong("maxHttpDelayMs");
    if (maxDelayMs > 600_000) return tooLong("maxDelayMs");
    return Optional.empty();
  }

  private static boolean isRate(double rate) {
    return rate >= 0 && rate <= 1;
  }

  private static Optional<FieldError> rateError(String field) {
    return Optional.of(new FieldError(field, "must be a number from 0 to 1"));
  }

  private static Optional<FieldError> negative(String field) {
    return Optional.of(new FieldError(field, "must not be negative"));
  }

  private static Optional<FieldError> tooLong(String field) {
    return Optional.of(new FieldError(field, "is longer than allowed"));
  }
}
