package edf;

/**
 * One token bucket (not thread-safe: owned by one socket's {@link SocketConnection}, or changed only under
 * its key's lock in a {@link RateLimiter}): it holds at most
 * `capacity` tokens, starts full, and gains one every `nanosPerToken`. Kept as the one time at
 * which the bucket would be empty again with everything taken so far (so one long of state).
 * Times are {@link System#nanoTime} values, passed in so that tests choose them.
 */
final class TokenBucket {
  private final long capacity;
  private final long nanosPerToken;
  /** When every token taken so far has come back, i.e. when the bucket is full again. */
  private long fullAt;

  TokenBucket(long capacity, long nanosPerToken, long now) {
    if (capacity < 1 || nanosPerToken < 1) throw new IllegalArgumentException("capacity and interval must be positive");
    this.capacity = capacity;
    this.nanosPerToken = nanosPerToken;
    this.fullAt = now;
  }

  /**
   * For `perSecond` a second, with the burst Pekko's {@code throttle(perSecond, 1 s)} allows: as
   * many tokens as come in 100 ms, at least one.
   */
  static TokenBucket likeThrottle(int perSecond, long now) {
    long nanosPerToken = 1_000_000_000L / perSecond;
    return new TokenBucket(Math.max(1, 100_000_000L / nanosPerToken), nanosPerToken, now);
  }

  /**
   * Takes a token: 0 when there was one, else how many nanoseconds until the next one comes, which
   * is then taken already (the caller waits that long: shaping, as {@code throttle} does).
   */
  long take(long now) {
    long wait = waitAt(now);
    fullAt = Math.max(fullAt - now, 0) + now + nanosPerToken;
    return wait;
  }

  /** Takes a token if there is one now; false, and nothing taken, otherwise. */
  boolean tryTake(long now) {
    if (waitAt(now) > 0) return false;
    take(now);
    return true;
  }

  /** Whether every token taken has come back (a new bucket would say the same). */
  boolean isFull(long now) {
    return fullAt - now <= 0;
  }

  /** How long until a token is there (0: there is one now). */
  long waitAt(long now) {
    // the bucket lacks (fullAt - now) / nanosPerToken tokens; one is there if that is at most capacity - 1
    return Math.max(0, fullAt - now - (capacity - 1) * nanosPerToken);
  }
}
