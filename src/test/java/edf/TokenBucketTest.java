package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-socket token bucket, on a clock the test sets (nanoseconds). */
class TokenBucketTest {
  static final long MS = 1_000_000L;

  @Test
  void takeGivesTheBurstAtOnceThenMakesEachMessageWaitForItsToken() {
    TokenBucket bucket = TokenBucket.likeThrottle(20, 0); // throttle(20, 1 s): a token per 50 ms, 2 at once
    assertEquals(0, bucket.take(0));
    assertEquals(0, bucket.take(0));
    assertEquals(50 * MS, bucket.take(0));
    assertEquals(100 * MS, bucket.take(0));
    assertEquals(0, bucket.take(300 * MS)); // the waiting ones took theirs; it refills after that
    assertEquals(0, bucket.take(300 * MS));
    assertEquals(50 * MS, bucket.take(300 * MS));
  }

  @Test
  void tryTakeRefusesWithoutTakingUntilTheNextTokenComes() {
    TokenBucket bucket = new TokenBucket(5, 200 * MS, 0);
    for (int i = 0; i < 5; i++) assertTrue(bucket.tryTake(0));
    assertFalse(bucket.tryTake(0));
    assertFalse(bucket.tryTake(199 * MS));
    assertTrue(bucket.tryTake(200 * MS));
    assertFalse(bucket.tryTake(200 * MS));
    assertTrue(bucket.tryTake(10_000 * MS)); // full again after a while, never more than 5
    for (int i = 0; i < 4; i++) assertTrue(bucket.tryTake(10_000 * MS));
    assertFalse(bucket.tryTake(10_000 * MS));
  }

  @Test
  void theBurstFollowsThrottleAtHighRates() {
    TokenBucket bucket = TokenBucket.likeThrottle(10_000, 0); // 100 µs a token: 1,000 at once
    for (int i = 0; i < 1000; i++) assertEquals(0, bucket.take(0));
    assertTrue(bucket.take(0) > 0);
  }
}
