package edf;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per key (a user id), in this node's memory: each key may take `burst` at
 * once and `perSecond` a second after that. Safe to call from any thread (the routes run on many).
 *
 * <p>Memory stays bounded whatever the number of users: a bucket that has filled up again says
 * nothing a new bucket would not, so it is dropped; a sweep every refill time (the time an empty
 * bucket takes to fill) removes them, and the map holds only keys that took a token within about
 * two refill times. Per node: behind a load balancer over n nodes a user may get up to n times the
 * rate (docs/protocol.md, "Limits").
 */
final class RateLimiter {

  /** Allowed, or refused with the whole seconds (rounded up, at least 1) until a token is back. */
  record Decision(boolean allowed, long retryAfterSeconds) {
    static final Decision ALLOWED = new Decision(true, 0);
  }

  private final long burst;
  private final long nanosPerToken;
  private final long refillNanos;
  private final LongSupplier nanoTime;
  /** One {@link TokenBucket} per key, changed only inside the map's `compute` for that key. */
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep;

  RateLimiter(Limits.Rate rate, LongSupplier nanoTime) {
    this.burst = rate.burst();
    this.nanosPerToken = Math.max(1, Math.round(1e9 / rate.perSecond()));
    this.refillNanos = burst * nanosPerToken;
    this.nanoTime = nanoTime;
    this.nextSweep = new AtomicLong(nanoTime.getAsLong() + refillNanos);
  }

  RateLimiter(Limits.Rate rate) {
    this(rate, System::nanoTime);
  }

  /** Takes one token of `key`'s bucket, if there is one. */
  Decision take(String key) {
    long now = nanoTime.getAsLong();
    sweepIfDue(now);
    long[] missingNanos = {0};
    buckets.compute(key, (k, found) -> {
      TokenBucket bucket = found == null ? new TokenBucket(burst, nanosPerToken, now) : found;
      if (!bucket.tryTake(now)) missingNanos[0] = bucket.waitAt(now);
      return bucket;
    });
    if (missingNanos[0] == 0) return Decision.ALLOWED;
    return new Decision(false, Math.max(1, (missingNanos[0] + 999_999_999L) / 1_000_000_000L));
  }

  /** How many keys have a bucket now (for tests: the memory bound). */
  int size() {
    return buckets.size();
  }

  private void sweepIfDue(long now) {
    long due = nextSweep.get();
    if (now - due < 0 || !nextSweep.compareAndSet(due, now + refillNanos)) return;
    // each under its key's lock, as every take is: a bucket taken from meanwhile stays
    for (String key : buckets.keySet()) buckets.computeIfPresent(key, (k, bucket) -> bucket.isFull(now) ? null : bucket);
  }
}
