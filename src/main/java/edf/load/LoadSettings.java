package edf.load;

import java.time.Duration;
import java.util.List;

/**
 * What a load run does, from system properties: {@code -Dusers=1000 -Dwindows=2 -Dduration=60s}
 * and the rest below. Without {@code -Dtarget} the server is started in-process on a free port.
 */
public record LoadSettings(
    String target,
    String mode,
    int users,
    int windows,
    Duration duration,
    Duration warmup,
    double rampPerSecond,
    double commandsPerUserPerSecond,
    double totalRate,
    String chaos,
    int maxAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    Duration requestTimeout,
    List<String> subscribe,
    int connections,
    int addresses,
    double connectPerSecond,
    Duration hold,
    Duration drainTimeout,
    int statusSample,
    long seed,
    String reportDir) {

  public static LoadSettings fromSystemProperties() {
    return new LoadSettings(
        prop("target", ""),
        prop("mode", "users"),
        Integer.parseInt(prop("users", "100")),
        Integer.parseInt(prop("windows", "2")),
        duration(prop("duration", "30s")),
        duration(prop("warmup", "0s")),
        Double.parseDouble(prop("ramp", "200")),
        Double.parseDouble(prop("rate", "0.5")),
        Double.parseDouble(prop("totalRate", "0")),
        prop("chaos", "default"),
        Integer.parseInt(prop("maxAttempts", "8")),
        duration(prop("baseBackoff", "200ms")),
        duration(prop("maxBackoff", "5s")),
        duration(prop("requestTimeout", "10s")),
        prop("subscribe", "").isBlank() ? List.of() : List.of(prop("subscribe", "").split(",")),
        Integer.parseInt(prop("connections", "10000")),
        Integer.parseInt(prop("addresses", "1")),
        Double.parseDouble(prop("connectRate", "1000")),
        duration(prop("hold", "10s")),
        duration(prop("drain", "30s")),
        Integer.parseInt(prop("statusSample", "500")),
        Long.parseLong(prop("seed", "1")),
        prop("report", "target/load-report"));
  }

  /** Commands per second for the whole run. */
  public double commandRate() {
    return totalRate > 0 ? totalRate : users * commandsPerUserPerSecond;
  }

  private static String prop(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /** "60s", "2m", "500ms" or an ISO-8601 duration. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.startsWith("p")) return Duration.parse(text);
    if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    if (t.endsWith("s")) return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    if (t.endsWith("m")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
    return Duration.ofSeconds(Long.parseLong(t));
  }
}
