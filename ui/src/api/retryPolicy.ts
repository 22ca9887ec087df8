/**
 * The one retry policy of the app: every HTTP call goes through {@link withRetry}.
 *
 * - exponential backoff with full jitter: before retry n the client waits a random time in
 *   [0, min(maxDelayMs, baseDelayMs * 2^(n-1))) (the "full jitter" of the AWS architecture blog),
 * - a timeout per attempt,
 * - only network errors, timeouts, 5xx and 429 answers are retried, no other 4xx,
 * - a `Retry-After` from the server (429 over a limit, 503) is a floor for the wait; one longer
 *   than the policy's `maxDelayMs` is not waited for: the error is thrown at once,
 * - at most `maxAttempts` attempts (the first one included), then the last error is thrown,
 * - with a {@link NetworkGate}: while the network is away no attempt starts (`onWaitingForNetwork`),
 *   and an attempt that failed while it was away does not count: offline time spends no budget.
 *
 * The caller keeps everything that must stay equal between attempts (an Idempotency-Key above all)
 * outside the attempt function, so that a retry is the same request again.
 */
import type { NetworkGate } from './networkGate';
import type { Problem } from './types';

export interface RetryPolicy {
  /** Attempts in all, the first one included; 1 means "never retry". */
  maxAttempts: number;
  /** Ceiling of the wait before the first retry; it doubles with every further retry. */
  baseDelayMs: number;
  /** Cap of that ceiling. */
  maxDelayMs: number;
  /** Longest time one attempt may take before it is abandoned as a timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  timeoutMs: 10_000,
};

/** Why an attempt failed. */
export type FailureKind =
  /** The server answered with a status that is not 2xx. */
  | 'http'
  /** No answer at all (connection refused, reset, DNS, CORS, offline). */
  | 'network'
  /** No answer within the policy's timeout. */
  | 'timeout'
  /** The caller gave up (its AbortSignal fired). */
  | 'aborted'
  /** A 2xx answer the client cannot read. */
  | 'protocol';

export class RequestError extends Error {
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly problem: Problem | undefined;
  /** How many attempts were made before this error was given up on. */
  attempts = 1;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs: number | undefined;

  constructor(kind: FailureKind, message: string, status?: number, problem?: Problem) {
    super(message);
    this.name = 'RequestError';
    this.kind = kind;
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Network errors, timeouts, 5xx and 429 (a limit that refills: nothing was accepted) may succeed
 * when tried again; nothing else is retried.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof RequestError)) return false;
  switch (error.kind) {
    case 'network':
    case 'timeout':
      return true;
    case 'http':
      return error.status === 429 || (error.status !== undefined && error.status >= 500 && error.status <= 599);
    default:
      return false;
  }
}

/**
 * A `Retry-After` header in milliseconds: delta-seconds or an HTTP date (RFC 9110, 10.2.3);
 * undefined when absent or unreadable, never negative.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // an HTTP date starts with the day's name: "Sun, 06 Nov 1994 08:49:37 GMT"
  const at = /^[A-Za-z]{3}, /.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Upper bound of the wait before retry number `retry` (1 = the first retry). */
export function backoffCeilingMs(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, Math.floor(retry) - 1);
  // 2 ** 1024 is Infinity; Math.min keeps it at the cap.
  return Math.max(0, Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent));
}

/** Full jitter: uniformly random in [0, ceiling). `random` returns [0, 1) like Math.random. */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeilingMs(retry, policy));
}

export interface RetryInfo {
  /** The attempt that just failed. */
  failedAttempt: number;
  /** The attempt that will run after the wait. */
  nextAttempt: number;
  delayMs: number;
  error: RequestError;
}

export interface RetryHooks {
  /** Before every attempt, the first one included (1-based). */
  onAttempt?: (attempt: number) => void;
  /** After a retryable failure, before the wait. */
  onRetry?: (info: RetryInfo) => void;
  /** Attempt `attempt` waits for the network to come back (only with a gate). */
  onWaitingForNetwork?: (attempt: number) => void;
}

export interface RetryOptions extends RetryHooks {
  /** Aborting it stops the attempt in flight and any further attempt. */
  signal?: AbortSignal;
  random?: () => number;
  /** While it is down, attempts wait and failures do not count. */
  gate?: NetworkGate;
}

export interface AttemptContext {
  attempt: number;
  /** Fires when this attempt times out or the caller aborts; pass it to fetch. */
  signal: AbortSignal;
}

/** Turns anything an attempt threw into a {@link RequestError}. */
export function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new RequestError('aborted', 'The request was cancelled');
  }
  if (error instanceof TypeError) {
    // fetch rejects with a TypeError when there is no answer at all.
    return new RequestError('network', error.message || 'Network error');
  }
  return new RequestError('network', error instanceof Error ? error.message : String(error));
}

/** Runs `attempt` until it succeeds, fails for good, or the policy allows no more attempts. */
export async function withRetry<T>(
  attempt: (context: AttemptContext) => Promise<T>,
  policy: RetryPolicy,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const random = options.random ?? Math.random;
  const gate = options.gate;
  for (let n = 1; ; ) {
    if (options.signal?.aborted) throw aborted(n - 1);
    if (gate && !gate.isUp()) {
      options.onWaitingForNetwork?.(n);
      try {
        await gate.whenUp(options.signal);
      } catch {
        throw aborted(n - 1);
      }
      continue;
    }
    options.onAttempt?.(n);
    try {
      return await runAttempt(attempt, n, policy.timeoutMs, options.signal);
    } catch (thrown) {
      const error = toRequestError(thrown);
      error.attempts = n;
      if (!isRetryable(error)) throw error;
      // The network went away under this attempt: it does not count; the next one waits for it.
      if (gate && !gate.isUp()) continue;
      if (n >= maxAttempts) throw error;
      const retryAfterMs = error.retryAfterMs ?? 0;
      // the server wants a longer pause than this policy ever waits: say so now, not later
      if (retryAfterMs > policy.maxDelayMs) throw error;
      const delayMs = Math.max(retryAfterMs, backoffDelayMs(n, policy, random));
      options.onRetry?.({ failedAttempt: n, nextAttempt: n + 1, delayMs, error });
      await sleep(delayMs, options.signal);
      n++;
    }
  }
}

function aborted(attempts: number): RequestError {
  const error = new RequestError('aborted', 'The request was cancelled');
  error.attempts = attempts;
  return error;
}

/** One attempt, raced against its timeout and the caller's signal. */
function runAttempt<T>(
  attempt: (context: AttemptContext) => Promise<T>,
  n: number,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      action();
    };
    const timer = setTimeout(() => {
      const error = new RequestError('timeout', `No answer within ${timeoutMs} ms`);
      finish(() => reject(error));
      controller.abort(error);
    }, timeoutMs);
    const onAbort = () => {
      finish(() => reject(new RequestError('aborted', 'The request was cancelled')));
      controller.abort(outer?.reason);
    };
    outer?.addEventListener('abort', onAbort, { once: true });
    let promise: Promise<T>;
    try {
      promise = attempt({ attempt: n, signal: controller.signal });
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** Waits, unless the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new RequestError('aborted', 'The request was cancelled'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestError('aborted', 'The request was cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A short human reason, for toasts and the item's status line. */
export function describeFailure(error: RequestError): string {
  const tries = error.attempts > 1 ? ` after ${error.attempts} attempts` : '';
  switch (error.kind) {
    case 'http': {
      const detail = error.problem?.detail ?? error.problem?.title ?? error.message;
      return `${error.status ?? 'HTTP'} ${detail}${tries}`;
    }
    case 'network':
      return `no connection to the server${tries}`;
    case 'timeout':
      return `the server did not answer in time${tries}`;
    case 'aborted':
      return 'cancelled';
    case 'protocol':
      return `unreadable answer: ${error.message}`;
  }
}
