package edf.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** The end of a run: a text summary, result.json and report.html (charts over time) under the report folder. */
final class Report {
  private Report() {}

  static Map<String, Object> latency(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    m.put("p50Ms", Metrics.ms(h, 50));
    m.put("p90Ms", Metrics.ms(h, 90));
    m.put("p99Ms", Metrics.ms(h, 99));
    m.put("maxMs", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
    return m;
  }

  static Map<String, Object> summary(LoadSettings s, Metrics m, Verifier.Result v, double seconds) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("settings", s);
    r.put("seconds", seconds);
    r.put("usersReady", m.usersReady.sum());
    r.put("socketsOpened", m.socketsOpen.sum());
    r.put("socketFailures", m.socketFailures.sum());
    r.put("commandsSent", m.commandsSent.sum());
    r.put("accepted202", m.accepted.sum());
    r.put("retried500", m.retried500.sum());
    r.put("retriedNetwork", m.retriedNetwork.sum());
    r.put("gaveUp", m.gaveUp.sum());
    r.put("rejected4xx", m.rejected4xx.sum());
    r.put("outcomesReceived", m.outcomes.sum());
    r.put("acceptedPerSecond", m.accepted.sum() / seconds);
    r.put("outcomesPerSecond", m.outcomes.sum() / seconds);
    double steady = Math.max(0.001, (m.steadyEndNanos - m.steadyStartNanos) / 1e9);
    r.put("steadySeconds", steady);
    r.put("steadyAcceptedPerSecond", m.steadyAccepted.sum() / steady);
    r.put("steadyOutcomesPerSecond", m.steadyOutcomes.sum() / steady);
    r.put("latency", Map.of(
        "accept", latency(m.accept.total()),
        "outcome", latency(m.outcome.total()),
        "deliveryOverhead", latency(m.delivery.total())));
    r.put("verification", v);
    r.put("clean", v.clean());
    return r;
  }

  static String text(Map<String, Object> r) {
    StringBuilder b = new StringBuilder("\n=== load run ===\n");
    r.forEach((k, v) -> {
      if (!k.equals("settings") && !k.equals("latency")) b.append(String.format(Locale.ROOT, "%-20s %s%n", k, v));
    });
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> latency = (Map<String, Map<String, Object>>) r.get("latency");
    for (String name : List.of("accept", "outcome", "deliveryOverhead")) {
      Map<String, Object> l = latency.get(name);
      b.append(String.format(Locale.ROOT, "%-20s p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%s)%n",
          name, l.get("p50Ms"), l.get("p90Ms"), l.get("p99Ms"), l.get("maxMs"), l.get("count")));
    }
    return b.toString();
  }

  static void write(Path dir, Map<String, Object> summary, List<Metrics.Sample> samples) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    Map<String, Object> json = new LinkedHashMap<>(summary);
    json.put("samples", samples);
    Files.writeString(dir.resolve("result.json"), mapper.writeValueAsString(json));
    Files.writeString(dir.resolve("report.html"), html(summary, samples));
  }

  private static String html(Map<String, Object> summary, List<Metrics.Sample> samples) {
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html><meta charset=utf-8><title>Load run</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:2rem;color:#1f2430}h1{font-size:1.4rem}")
        .append(".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:1.5rem}")
        .append("figure{margin:0;border:1px solid #e3e6ec;border-radius:8px;padding:1rem}figcaption{font-weight:600;margin-bottom:.5rem}")
        .append(".ok{color:#0a7d38}.bad{color:#c62828}table{border-collapse:collapse}td{padding:2px 12px 2px 0}</style>");
    boolean clean = Boolean.TRUE.equals(summary.get("clean"));
    b.append("<h1>Load run: <span class=").append(clean ? "ok>clean" : "bad>problems found").append("</span></h1><table>");
    summary.forEach((k, v) -> {
      if (!k.equals("settings")) b.append("<tr><td>").append(k).append("</td><td>").append(escape(String.valueOf(v))).append("</td></tr>");
    });
    b.append("</table><div class=grid>");
    b.append(chart("Throughput (per second)", samples, List.of(
        new Series("202 accepted", "#3366cc", Metrics.Sample::acceptedPerSecond),
        new Series("outcomes pushed", "#109618", Metrics.Sample::outcomesPerSecond))));
    b.append(chart("Latency p99 (ms)", samples, List.of(
        new Series("accept", "#3366cc", Metrics.Sample::acceptP99Ms),
        new Series("outcome", "#ff9900", Metrics.Sample::outcomeP99Ms),
        new Series("delivery overhead", "#109618", Metrics.Sample::deliveryP99Ms))));
    b.append(chart("Connections", samples, List.of(
        new Series("sockets", "#3366cc", x -> x.sockets()),
        new Series("users ready", "#990099", x -> x.users()))));
    b.append(chart("Retries (cumulative)", samples, List.of(new Series("retried", "#dc3912", x -> x.retried()))));
    b.append("</div><p>Settings: <code>").append(escape(String.valueOf(summary.get("settings")))).append("</code></p>");
    return b.toString();
  }

  private record Series(String name, String color, ToDoubleFunction<Metrics.Sample> value) {}

  /** A small SVG line chart over the run's seconds. */
  private static String chart(String title, List<Metrics.Sample> samples, List<Series> series) {
    int w = 440, h = 220, left = 48, bottom = 24;
    double maxX = samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).seconds());
    double maxY = 1;
    for (Series s : series) for (Metrics.Sample p : samples) maxY = Math.max(maxY, s.value().applyAsDouble(p));
    maxY *= 1.1;
    StringBuilder b = new StringBuilder("<figure><figcaption>").append(title).append("</figcaption>");
    b.append(String.format(Locale.ROOT, "<svg viewBox='0 0 %d %d' width='100%%' role=img aria-label='%s'>", w, h, title));
    for (int i = 0; i <= 4; i++) {
      double y = (h - bottom) - i * (h - bottom - 10) / 4.0;
      b.append(String.format(Locale.ROOT, "<line x1=%d x2=%d y1=%.1f y2=%.1f stroke='#eee'/><text x=2 y=%.1f font-size=10 fill='#666'>%.0f</text>",
          left, w, y, y, y + 3, maxY * i / 4));
    }
    b.append(String.format(Locale.ROOT, "<text x=%d y=%d font-size=10 fill='#666'>0 s</text><text x=%d y=%d font-size=10 fill='#666' text-anchor=end>%.0f s</text>",
        left, h - 6, w, h - 6, maxX));
    int legend = 0;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (Metrics.Sample p : samples) {
        double x = left + (w - left) * p.seconds() / maxX;
        double y = (h - bottom) - (h - bottom - 10) * s.value().applyAsDouble(p) / maxY;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      b.append("<polyline fill=none stroke-width=2 stroke='").append(s.color()).append("' points='").append(points).append("'/>");
      b.append(String.format(Locale.ROOT, "<text x=%d y=%d font-size=11 fill='%s'>%s</text>", left + 8 + legend * 130, 12, s.color(), s.name()));
      legend++;
    }
    return b.append("</svg></figure>").toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
