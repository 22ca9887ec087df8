package edf.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Checks every accepted command: exactly one outcome on each socket of its user, none on other
 * users' sockets, per-socket `seq` without gap or repeat. Thread-safe: sockets and HTTP responses
 * report from many threads.
 */
public final class Verifier {

  /** Everything learned about one command, from its 202 and from its outcomes. */
  private static final class Command {
    final int[] perWindow;
    int user = -1;
    long acceptedNanos;
    long firstArrivalNanos;
    String pushedType;

    Command(int windows) {
      perWindow = new int[windows];
    }
  }

  /** The result of the checks. */
  public record Result(
      long acceptedCommands, long lost, long duplicated, long misrouted, long outOfOrder,
      long statusChecked, long statusDisagreed, long outcomesWithoutAccept) {
    public boolean clean() {
      return lost == 0 && duplicated == 0 && misrouted == 0 && outOfOrder == 0 && statusDisagreed == 0;
    }
  }

  private final int windows;
  private final Metrics metrics;
  private final Map<String, Integer> entityOwner = new ConcurrentHashMap<>();
  private final Map<String, Command> commands = new ConcurrentHashMap<>();
  private final LongAdder misrouted = new LongAdder();
  private final LongAdder outOfOrder = new LongAdder();
  final LongAdder statusChecked = new LongAdder();
  final LongAdder statusDisagreed = new LongAdder();

  public Verifier(int windows, Metrics metrics) {
    this.windows = windows;
    this.metrics = metrics;
  }

  /** Every todo belongs to the user who created it: its outcomes must reach only that user. */
  public void owns(int user, String entityId) {
    entityOwner.put(entityId, user);
  }

  public void accepted(String commandId, int user, long sentNanos, long acceptedNanos) {
    metrics.accepted.increment();
    if (metrics.recording) metrics.steadyAccepted.increment();
    metrics.accept.recordMicros((acceptedNanos - sentNanos) / 1000);
    Command c = commands.computeIfAbsent(commandId, id -> new Command(windows));
    synchronized (c) {
      if (c.acceptedNanos != 0) return;
      c.user = user;
      c.acceptedNanos = acceptedNanos;
      if (c.firstArrivalNanos != 0) metrics.outcome.recordMicros(Math.max(0, c.firstArrivalNanos - acceptedNanos) / 1000);
    }
  }

  /** An outcome arrived on socket `window` of `user`; `previousSeq` is what that socket saw before. */
  public void outcome(int user, int window, String commandId, String entityId, String type,
      long seq, long previousSeq, long serverMillis, long arrivalNanos) {
    metrics.outcomes.increment();
    if (metrics.recording) metrics.steadyOutcomes.increment();
    metrics.delivery.recordMicros((System.currentTimeMillis() - serverMillis) * 1000);
    if (seq != previousSeq + 1) outOfOrder.increment();
    Integer owner = entityOwner.get(entityId);
    if (owner != null && owner != user) {
      misrouted.increment();
      return;
    }
    Command c = commands.computeIfAbsent(commandId, id -> new Command(windows));
    synchronized (c) {
      c.perWindow[window]++;
      if (c.firstArrivalNanos == 0) {
        c.firstArrivalNanos = arrivalNanos;
        c.pushedType = type;
        if (c.acceptedNanos != 0) metrics.outcome.recordMicros(Math.max(0, arrivalNanos - c.acceptedNanos) / 1000);
      }
    }
  }

  /** Accepted commands still missing an outcome on some socket of their user. */
  public long outstanding() {
    long n = 0;
    for (Command c : commands.values()) {
      synchronized (c) {
        if (c.acceptedNanos == 0) continue;
        for (int count : c.perWindow) if (count == 0) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  /** An accepted command, its user, and the outcome type its sockets saw. */
  public record Sampled(String commandId, int user, String pushedType) {}

  /** Up to `max` accepted commands whose outcome arrived. */
  public java.util.List<Sampled> sample(int max) {
    java.util.List<Sampled> sample = new java.util.ArrayList<>();
    for (Map.Entry<String, Command> e : commands.entrySet()) {
      if (sample.size() >= max) break;
      Command c = e.getValue();
      synchronized (c) {
        if (c.acceptedNanos != 0 && c.pushedType != null) sample.add(new Sampled(e.getKey(), c.user, c.pushedType));
      }
    }
    return sample;
  }

  public Result result() {
    long accepted = 0, lost = 0, duplicated = 0, orphan = 0;
    for (Command c : commands.values()) {
      synchronized (c) {
        if (c.acceptedNanos == 0) {
          orphan++; // its 202 was lost and every retry failed: the outcome still counts for duplicates
          for (int count : c.perWindow) duplicated += Math.max(0, count - 1);
          continue;
        }
        accepted++;
        for (int count : c.perWindow) {
          if (count == 0) lost++;
          duplicated += Math.max(0, count - 1);
        }
      }
    }
    return new Result(accepted, lost, duplicated, misrouted.sum(), outOfOrder.sum(),
        statusChecked.sum(), statusDisagreed.sum(), orphan);
  }
}
