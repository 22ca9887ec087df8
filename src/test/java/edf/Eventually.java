package edf;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polls a condition the way a client polls a status URL: until it holds, or fails at the deadline. */
final class Eventually {
  private Eventually() {}

  static <T> T get(Supplier<T> attempt) {
    return get(attempt, Duration.ofSeconds(10));
  }

  /** The first non-null result of `attempt`; a short pause between tries spares the server. */
  static <T> T get(Supplier<T> attempt, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      T result = attempt.get();
      if (result != null) return result;
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    throw new AssertionError("condition not reached within " + timeout);
  }
}
