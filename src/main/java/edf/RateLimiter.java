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

  /** Tokens at the time `at` (nanoTime). */
  private record Bucket(double tokens, long at) {}

  private final double perNano;
  private final double burst;
  private final long refillNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep;

  RateLimiter(Limits.Rate rate, LongSupplier nanoTime) {
    this.perNano = rate.perSecond() / 1e9;
    this.burst = rate.burst();
    this.refillNanos = (long) Math.ceil(burst / perNano);
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
    buckets.compute(key, (k, bucket) -> {
      double tokens = bucket == null ? burst : tokensAt(bucket, now);
      if (tokens >= 1) return new Bucket(tokens - 1, now);
      missingNanos[0] = (long) Math.ceil((1 - tokens) / perNano);
      return new Bucket(tokens, now);
    });
    if (missingNanos[0] == 0) return Decision.ALLOWED;
    return new Decision(false, Math.max(1, (missingNanos[0] + 999_999_999L) / 1_000_000_000L));
  }

  /** How many keys have a bucket now (for tests: the memory bound). */
  int size() {
    return buckets.size();
  }

  private double tokensAt(Bucket bucket, long now) {
    return Math.min(burst, bucket.tokens() + Math.max(0, now - bucket.at()) * perNano);
  }

  private void sweepIfDue(long now) {
    long due = nextSweep.get();
    if (now - due < 0 || !nextSweep.compareAndSet(due, now + refillNanos)) return;
    // removes an entry only if it is still the bucket that was found full
    buckets.entrySet().removeIf(e -> tokensAt(e.getValue(), now) >= burst);
  }
}
