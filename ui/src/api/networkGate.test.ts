import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNetworkGate, type NetworkEnv } from './networkGate';
import { RequestError, withRetry, type RetryPolicy } from './retryPolicy';

function fakeEnv(initiallyOnline = true) {
  const target = new EventTarget();
  let online = initiallyOnline;
  const env: NetworkEnv = { target, isOnline: () => online };
  return {
    env,
    goOffline() {
      online = false;
      target.dispatchEvent(new Event('offline'));
    },
    goOnline() {
      online = true;
      target.dispatchEvent(new Event('online'));
    },
  };
}

describe('the network gate', () => {
  it('is down while the browser is offline or the socket is lost, and tells listeners', () => {
    const net = fakeEnv();
    const gate = createNetworkGate(net.env);
    const heard: boolean[] = [];
    gate.subscribe((up) => heard.push(up));
    expect(gate.isUp()).toBe(true);
    net.goOffline();
    gate.setSocketUp(false);
    net.goOnline();
    expect(gate.isUp()).toBe(false);
    gate.setSocketUp(true);
    expect(gate.isUp()).toBe(true);
    expect(heard).toEqual([false, true]);
  });

  it('resolves whenUp once it is back, and rejects it on abort', async () => {
    const net = fakeEnv(false);
    const gate = createNetworkGate(net.env);
    let resolved = false;
    void gate.whenUp().then(() => (resolved = true));
    const controller = new AbortController();
    const aborted = gate.whenUp(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toThrow('cancelled');
    await Promise.resolve();
    expect(resolved).toBe(false);
    net.goOnline();
    await Promise.resolve();
    expect(resolved).toBe(true);
  });
});

describe('withRetry behind the gate', () => {
  const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 2000 };
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('spends no attempts while offline, waits, and goes on when back online', async () => {
    const net = fakeEnv();
    const gate = createNetworkGate(net.env);
    const attempts: number[] = [];
    const waits: number[] = [];
    let calls = 0;
    const run = withRetry(
      async ({ attempt }) => {
        calls++;
        attempts.push(attempt);
        if (calls === 1) {
          // the network drops during the first attempt
          net.goOffline();
          throw new RequestError('network', 'Failed to fetch');
        }
        if (calls === 2) throw new RequestError('http', 'HTTP 500', 500);
        return 'ok';
      },
      policy,
      { gate, random: () => 0.5, onWaitingForNetwork: (n) => waits.push(n) },
    );
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toBe(1);
    expect(waits).toEqual([1]);
    net.goOnline();
    await vi.advanceTimersByTimeAsync(1000);
    await expect(run).resolves.toBe('ok');
    // the failure while offline did not count: attempt 1 ran again, then attempt 2 after a 500
    expect(attempts).toEqual([1, 1, 2]);
  });

  it('without a gate, the same failures spend the budget', async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw new RequestError('network', 'Failed to fetch');
      },
      policy,
      { random: () => 0.5 },
    );
    const failed = expect(run).rejects.toThrow('Failed to fetch');
    await vi.advanceTimersByTimeAsync(10_000);
    await failed;
    expect(calls).toBe(3);
  });

  it('stops waiting when cancelled', async () => {
    const net = fakeEnv(false);
    const gate = createNetworkGate(net.env);
    const controller = new AbortController();
    const attempt = vi.fn(async () => 'ok');
    const run = withRetry(attempt, policy, { gate, signal: controller.signal });
    const failed = expect(run).rejects.toMatchObject({ kind: 'aborted' });
    controller.abort();
    await failed;
    expect(attempt).not.toHaveBeenCalled();
  });
});
