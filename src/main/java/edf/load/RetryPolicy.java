package edf.load;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The browser app's retry policy, for virtual users: exponential backoff with full jitter and a
 * cap, retrying network errors, timeouts and 5xx only, at most `maxAttempts` attempts.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap) {

  /** The wait before attempt `attempt + 1` (attempt counts from 1): uniform in [0, min(cap, base * 2^(attempt-1))]. */
  public Duration backoff(int attempt) {
    long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  public static boolean retryable(int status) {
    return status >= 500;
  }
}
