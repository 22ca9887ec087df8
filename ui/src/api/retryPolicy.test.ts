import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RequestError,
  backoffCeilingMs,
  backoffDelayMs,
  describeFailure,
  isRetryable,
  parseRetryAfter,
  withRetry,
  type RetryInfo,
  type RetryPolicy,
} from './retryPolicy';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 2000 };

const http = (status: number) => new RequestError('http', `HTTP ${status}`, status);

describe('backoff', () => {
  it('doubles the ceiling per retry and caps it', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffCeilingMs(n, policy))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    expect(backoffCeilingMs(5000, policy)).toBe(1000);
  });

  it('draws the wait uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(399);
    expect(backoffDelayMs(10, policy, () => 0.999999)).toBe(999);
  });

  it('stays within [0, ceiling) with the real random source and varies', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const d = backoffDelayMs(4, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(800);
      seen.add(d);
    }
    expect(seen.size).toBeGreaterThan(50);
  });
});

describe('isRetryable', () => {
  it('retries network errors, timeouts, 5xx and 429 (a limit that refills)', () => {
    expect(isRetryable(new RequestError('network', 'down'))).toBe(true);
    expect(isRetryable(new RequestError('timeout', 'slow'))).toBe(true);
    for (const s of [429, 500, 502, 503, 504]) expect(isRetryable(http(s))).toBe(true);
  });

  it('never retries another 4xx, cancellations, unreadable answers or foreign errors', () => {
    for (const s of [400, 401, 403, 404, 408, 409, 413, 422]) expect(isRetryable(http(s))).toBe(false);
    expect(isRetryable(new RequestError('aborted', 'stop'))).toBe(false);
    expect(isRetryable(new RequestError('protocol', 'bad json'))).toBe(false);
    expect(isRetryable(new Error('bug'))).toBe(false);
  });
});

describe('withRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the first success without waiting', async () => {
    const attempt = vi.fn().mockResolvedValue('ok');
    await expect(withRetry(attempt, policy)).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('retries 5xx and network errors after the jittered wait, then succeeds', async () => {
    const attempt = vi
      .fn()
      .mockRejectedValueOnce(http(500))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce('ok');
    const retries: RetryInfo[] = [];
    const attempts: number[] = [];
    const promise = withRetry(attempt, policy, {
      random: () => 0.5,
      onRetry: (info) => retries.push(info),
      onAttempt: (n) => attempts.push(n),
    });

    await vi.advanceTimersByTimeAsync(0);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(retries[0]).toMatchObject({ failedAttempt: 1, nextAttempt: 2, delayMs: 50 });
    await vi.advanceTimersByTimeAsync(49);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(2);
    expect(retries[1]).toMatchObject({ failedAttempt: 2, delayMs: 100 });
    expect(retries[1]!.error.kind).toBe('network');
    await vi.advanceTimersByTimeAsync(100);
    await expect(promise).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("waits at least the server's Retry-After before retrying a 429", async () => {
    const limited = http(429);
    limited.retryAfterMs = 700;
    const attempt = vi.fn().mockRejectedValueOnce(limited).mockResolvedValueOnce('ok');
    const retries: RetryInfo[] = [];
    const promise = withRetry(attempt, policy, { random: () => 0.5, onRetry: (info) => retries.push(info) });
    await vi.advanceTimersByTimeAsync(0);
    expect(retries[0]).toMatchObject({ failedAttempt: 1, delayMs: 700 });
    await vi.advanceTimersByTimeAsync(699);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(promise).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it('gives up at once when the Retry-After is longer than the policy ever waits', async () => {
    const limited = http(429);
    limited.retryAfterMs = 60_000;
    const attempt = vi.fn().mockRejectedValue(limited);
    const onRetry = vi.fn();
    const error = await withRetry(attempt, policy, { onRetry }).catch((e: unknown) => e);
    expect((error as RequestError).status).toBe(429);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('never retries a 4xx', async () => {
    const attempt = vi.fn().mockRejectedValue(http(409));
    const onRetry = vi.fn();
    const error = await withRetry(attempt, policy, { onRetry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).status).toBe(409);
    expect((error as RequestError).attempts).toBe(1);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('gives up after maxAttempts with the last error and the number of attempts', async () => {
    const attempt = vi.fn().mockRejectedValue(http(503));
    const delays: number[] = [];
    const promise = withRetry(attempt, policy, {
      random: () => 0.999999,
      onRetry: (info) => delays.push(info.delayMs),
    }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    const error = (await promise) as RequestError;
    expect(attempt).toHaveBeenCalledTimes(5);
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(5);
    expect(delays).toEqual([99, 199, 399, 799]);
    expect(describeFailure(error)).toContain('after 5 attempts');
  });

  it('honours a max of one attempt', async () => {
    const attempt = vi.fn().mockRejectedValue(http(500));
    await expect(withRetry(attempt, { ...policy, maxAttempts: 1 })).rejects.toMatchObject({ status: 500 });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('times out a hanging attempt, aborts its signal and retries', async () => {
    const signals: AbortSignal[] = [];
    const attempt = vi.fn(({ signal }: { signal: AbortSignal }) => {
      signals.push(signal);
      return signals.length === 1 ? new Promise<string>(() => {}) : Promise.resolve('second');
    });
    const onRetry = vi.fn();
    const promise = withRetry(attempt, policy, { random: () => 0, onRetry });
    await vi.advanceTimersByTimeAsync(1999);
    expect(onRetry).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(onRetry.mock.calls[0]![0].error.kind).toBe('timeout');
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(2);
    await expect(promise).resolves.toBe('second');
  });

  it('stops at once when the caller aborts, also during the wait', async () => {
    const controller = new AbortController();
    const attempt = vi.fn().mockRejectedValue(http(500));
    const promise = withRetry(attempt, policy, { signal: controller.signal, random: () => 0.9 }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const error = (await promise) as RequestError;
    expect(error.kind).toBe('aborted');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('Mon, 30 Nov 2026 20:00:00 GMT');
    expect(parseRetryAfter('Mon, 30 Nov 2026 20:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 19:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});
