package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets behind the per-user rate limits, on a clock the test moves. */
class RateLimiterTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final RateLimiter limiter = new RateLimiter(new Limits.Rate(2, 4), now::get);

  void passes(long millis) {
    now.addAndGet(millis * 1_000_000L);
  }

  @Test
  void aBurstThenTheRateAndTheWaitUntilTheNextTokenRoundedUpToWholeSeconds() {
    for (int i = 0; i < 4; i++) assertTrue(limiter.take("alice").allowed(), "the burst: " + i);
    RateLimiter.Decision refused = limiter.take("alice");
    assertFalse(refused.allowed());
    assertEquals(1, refused.retryAfterSeconds(), "half a second to the next token, said as 1 s");

    passes(499);
    assertFalse(limiter.take("alice").allowed(), "a refused take does not spend a token, nor does it make one");
    passes(1);
    assertTrue(limiter.take("alice").allowed(), "released after the refill");
    assertFalse(limiter.take("alice").allowed());

    passes(2000);
    for (int i = 0; i < 4; i++) assertTrue(limiter.take("alice").allowed(), "full again, never more than the burst: " + i);
    assertFalse(limiter.take("alice").allowed());
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    for (int i = 0; i < 4; i++) limiter.take("alice");
    assertFalse(limiter.take("alice").allowed());
    assertTrue(limiter.take("bob").allowed(), "bob is not limited by alice's use");
  }

  @Test
  void aSlowRateSaysHowManySecondsToWait() {
    RateLimiter slow = new RateLimiter(new Limits.Rate(0.2, 1), now::get);
    assertTrue(slow.take("alice").allowed());
    assertEquals(5, slow.take("alice").retryAfterSeconds());
    passes(2500);
    assertEquals(3, slow.take("alice").retryAfterSeconds(), "2.5 s rounded up");
  }

  @Test
  void bucketsThatFilledUpAgainAreForgottenSoMemoryStaysBoundedWhateverTheNumberOfUsers() {
    for (int user = 0; user < 10_000; user++) limiter.take("user-" + user);
    assertEquals(10_000, limiter.size());
    passes(2000); // the refill time: every bucket is full again
    limiter.take("alice");
    assertEquals(1, limiter.size(), "only alice's bucket is left");

    for (int i = 0; i < 4; i++) limiter.take("bob");
    passes(2000);
    assertFalse(limiter.take("bob").retryAfterSeconds() > 0, "a forgotten bucket starts full");
  }
}
