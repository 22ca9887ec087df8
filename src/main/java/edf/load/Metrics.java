package edf.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histograms of a run (HdrHistogram, microseconds), with one sample per
 * report interval for the live progress line and the charts.
 */
public final class Metrics {
  public final LongAdder usersReady = new LongAdder();
  public final LongAdder socketsOpen = new LongAdder();
  public final LongAdder socketFailures = new LongAdder();
  public final LongAdder commandsSent = new LongAdder();
  public final LongAdder accepted = new LongAdder();
  public final LongAdder retried500 = new LongAdder();
  public final LongAdder retriedNetwork = new LongAdder();
  public final LongAdder gaveUp = new LongAdder();
  public final LongAdder rejected4xx = new LongAdder();
  public final LongAdder outcomes = new LongAdder();

  /** Off during the warm-up: latencies are not recorded and steady throughput is not counted. */
  public volatile boolean recording = true;
  public final LongAdder steadyAccepted = new LongAdder();
  public final LongAdder steadyOutcomes = new LongAdder();
  public volatile long steadyStartNanos = System.nanoTime();
  public volatile long steadyEndNanos;

  public final Latency accept = new Latency();
  public final Latency outcome = new Latency();
  public final Latency delivery = new Latency();

  private final List<Sample> samples = new ArrayList<>();
  private final long started = System.nanoTime();
  private long lastAccepted;
  private long lastOutcomes;

  /** One latency: everything since the start, and what came since the last interval. */
  public final class Latency {
    private final Recorder recorder = new Recorder(3_600_000_000L, 3);
    private final Histogram total = new Histogram(3_600_000_000L, 3);
    private Histogram interval;

    public void recordMicros(long micros) {
      if (recording) recorder.recordValue(Math.max(0, Math.min(micros, 3_600_000_000L)));
    }

    synchronized Histogram roll() {
      interval = recorder.getIntervalHistogram(interval);
      total.add(interval);
      return interval;
    }

    public synchronized Histogram total() {
      return total.copy();
    }
  }

  /** What one report interval looked like. */
  public record Sample(
      double seconds, long sockets, long users, double acceptedPerSecond, double outcomesPerSecond,
      double acceptP99Ms, double outcomeP99Ms, double deliveryP99Ms, double deliveryP50Ms, long retried) {}

  public synchronized Sample sample(double intervalSeconds) {
    long acc = accepted.sum();
    long out = outcomes.sum();
    Histogram a = accept.roll();
    Histogram o = outcome.roll();
    Histogram d = delivery.roll();
    Sample sample =
        new Sample(
            (System.nanoTime() - started) / 1e9,
            socketsOpen.sum(),
            usersReady.sum(),
            (acc - lastAccepted) / intervalSeconds,
            (out - lastOutcomes) / intervalSeconds,
            ms(a, 99),
            ms(o, 99),
            ms(d, 99),
            ms(d, 50),
            retried500.sum() + retriedNetwork.sum());
    lastAccepted = acc;
    lastOutcomes = out;
    samples.add(sample);
    return sample;
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
