import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from './protocol';
import { RawFakeSocket } from '../test/fakes';
import { useSocket, type UseSocketOptions } from './useSocket';

class FakeSocket extends RawFakeSocket {}

const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

function setup(overrides: Partial<UseSocketOptions> = {}) {
  let ticket = 0;
  const getUrl = vi.fn(async () => `ws://test/ws?ticket=t${++ticket}`);
  const messages: ServerMessage[] = [];
  const invalid: string[] = [];
  const opened: boolean[] = [];
  const options: UseSocketOptions = {
    enabled: true,
    getUrl,
    onMessage: (m) => messages.push(m),
    onInvalid: (_text, reason) => invalid.push(reason),
    onOpen: ({ reconnect }) => opened.push(reconnect),
    createSocket: (url) => new FakeSocket(url),
    random: () => 0.5,
    reconnect: { baseDelayMs: 1000, maxDelayMs: 4000, stableAfterMs: 5000, openTimeoutMs: 10_000 },
    ...overrides,
  };
  const hook = renderHook((props: UseSocketOptions) => useSocket(props), { initialProps: options });
  return { hook, getUrl, messages, invalid, opened, options };
}

/** Lets the ticket promise resolve and the socket be created. */
const settle = () => act(async () => {
  await vi.advanceTimersByTimeAsync(0);
});

describe('useSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-26T14:00:00.000Z'));
    FakeSocket.all = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects with a fresh ticket, reports open, and passes on valid messages only', async () => {
    const { hook, messages, invalid, opened } = setup();
    expect(hook.result.current.status).toBe('connecting');
    await settle();
    expect(last().url).toBe('ws://test/ws?ticket=t1');
    last().serverOpens();
    expect(hook.result.current.status).toBe('open');
    expect(opened).toEqual([false]);

    last().serverSends({ type: 'stats', todos: 1, queued: 0, connections: 2, users: 1, timestamp: 'x' });
    last().serverSends('{not json');
    last().serverSends({ type: 'surprise' });
    last().serverSends({ type: 'command.succeeded', entityId: 'e' });
    expect(messages.map((m) => m.type)).toEqual(['stats']);
    expect(invalid).toEqual(['not JSON', 'unknown type "surprise"', 'command.succeeded: "commandId" must be a string']);
    expect(hook.result.current.status).toBe('open');
  });

  it('queues what is sent before the socket is open and sends it once it is', async () => {
    const { hook } = setup();
    act(() => {
      hook.result.current.send({ type: 'subscribe', topic: 'todos' });
      hook.result.current.send({ type: 'ping' });
    });
    await settle();
    expect(last().texts).toEqual([]);
    last().serverOpens();
    expect(last().texts).toEqual(['{"type":"subscribe","topic":"todos"}', '{"type":"ping"}']);
    act(() => hook.result.current.send({ type: 'subscribe', topic: 'stats' }));
    expect(last().texts).toHaveLength(3);
  });

  it('keeps the queue bounded', async () => {
    const { hook } = setup({ maxQueued: 2 });
    act(() => {
      hook.result.current.send({ type: 'subscribe', topic: 'todos' });
      hook.result.current.send({ type: 'subscribe', topic: 'stats' });
      hook.result.current.send({ type: 'ping' });
    });
    await settle();
    last().serverOpens();
    expect(last().texts).toEqual(['{"type":"subscribe","topic":"stats"}', '{"type":"ping"}']);
  });

  it('reconnects after a drop with a jittered, growing, capped wait and a new ticket each time', async () => {
    const { hook, getUrl, opened } = setup();
    await settle();
    last().serverOpens();

    last().serverCloses(1006);
    // attempt 1: ceiling 1000 ms, random 0.5 -> 500 ms
    expect(hook.result.current).toMatchObject({ status: 'waiting', attempt: 1, nextAttemptAt: Date.now() + 500 });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(499);
    });
    expect(getUrl).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1);
    });
    expect(getUrl).toHaveBeenCalledTimes(2);
    expect(getUrl).toHaveBeenLastCalledWith({ attempt: 1, reconnect: true });
    expect(last().url).toBe('ws://test/ws?ticket=t2');

    // It fails again before opening: 1000 ms, then 2000 ms, then capped at 4000 -> 2000 ms.
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      last().serverCloses(1006);
      waits.push(hook.result.current.nextAttemptAt! - Date.now());
      await act(async () => {
        await vi.advanceTimersByTimeAsync(waits[i]!);
      });
    }
    expect(waits).toEqual([1000, 2000, 2000, 2000]);
    expect(new Set(FakeSocket.all.map((s) => s.url)).size).toBe(FakeSocket.all.length);

    last().serverOpens();
    expect(opened).toEqual([false, true]);
    expect(hook.result.current.status).toBe('open');
  });

  it('uses full jitter: the wait depends on the random source', async () => {
    const { hook } = setup({ random: () => 0.1 });
    await settle();
    last().serverOpens();
    last().serverCloses();
    expect(hook.result.current.nextAttemptAt! - Date.now()).toBe(100);
  });

  it('starts the backoff again once a connection has stayed up', async () => {
    const { hook } = setup();
    await settle();
    for (let i = 0; i < 3; i++) {
      last().serverCloses();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(hook.result.current.nextAttemptAt! - Date.now());
      });
    }
    last().serverOpens();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5000);
    });
    last().serverCloses();
    expect(hook.result.current).toMatchObject({ attempt: 1, nextAttemptAt: Date.now() + 500 });
  });

  it('retries when no ticket can be had', async () => {
    const onConnectError = vi.fn();
    const getUrl = vi.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue('ws://test/ws?ticket=ok');
    const { hook } = setup({ getUrl, onConnectError });
    await settle();
    expect(onConnectError).toHaveBeenCalledTimes(1);
    expect(hook.result.current.status).toBe('waiting');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(500);
    });
    expect(last().url).toBe('ws://test/ws?ticket=ok');
  });

  it('gives up on a socket that never opens and tries again', async () => {
    const { hook } = setup();
    await settle();
    const stuck = last();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_000);
    });
    expect(stuck.closedWith).toBeDefined();
    stuck.serverCloses(1006);
    expect(hook.result.current.status).toBe('waiting');
  });

  it('skips the wait on demand', async () => {
    const { hook, getUrl } = setup();
    await settle();
    last().serverCloses();
    act(() => hook.result.current.reconnectNow());
    await settle();
    expect(getUrl).toHaveBeenCalledTimes(2);
  });

  it('waits for the browser to be online again', async () => {
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const { hook, getUrl } = setup();
    expect(hook.result.current.status).toBe('offline');
    expect(getUrl).not.toHaveBeenCalled();
    onLine.mockReturnValue(true);
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    await settle();
    expect(getUrl).toHaveBeenCalledTimes(1);
  });

  it('uses the latest callbacks without reconnecting', async () => {
    const { hook, options } = setup();
    await settle();
    last().serverOpens();
    const later: string[] = [];
    hook.rerender({ ...options, onMessage: (m) => later.push(m.type) });
    last().serverSends({ type: 'pong', timestamp: 'x' });
    expect(later).toEqual(['pong']);
    expect(FakeSocket.all).toHaveLength(1);
  });

  describe('liveness', () => {
    const advance = (ms: number) =>
      act(async () => {
        await vi.advanceTimersByTimeAsync(ms);
      });

    it('sends a ping every 2 s while open, and nothing while closed', async () => {
      const { hook } = setup();
      await settle();
      const socket = last();
      socket.serverOpens();
      await advance(1999);
      expect(socket.texts).toEqual([]);
      await advance(1);
      expect(socket.texts).toEqual(['{"type":"ping"}']);
      socket.serverSends({ type: 'pong' });
      await advance(2000);
      expect(socket.texts).toEqual(['{"type":"ping"}', '{"type":"ping"}']);
      socket.serverCloses(1006);
      await advance(10_000);
      expect(socket.texts).toHaveLength(2);
      expect(hook.result.current.status).not.toBe('open');
    });

    it('gives a socket that hears nothing for 6 s up as dead, closes it and reconnects', async () => {
      const onClose = vi.fn();
      const { hook, getUrl, opened } = setup({ onClose });
      await settle();
      const dead = last();
      dead.serverOpens();
      await advance(3000);
      dead.serverSends({ type: 'pong' }); // heard at 3 s: alive until 9 s
      await advance(5999);
      expect(dead.closedWith).toBeUndefined();
      expect(hook.result.current.status).toBe('open');
      await advance(1);
      expect(dead.closedWith).toBe(4000);
      expect(onClose).toHaveBeenCalledWith({ code: 4000, reason: 'nothing received for 6 s', wasClean: false, byClient: true });
      expect(hook.result.current).toMatchObject({ status: 'waiting', attempt: 1 });
      // Its late close event changes nothing: the window has moved on.
      dead.serverCloses(1006);
      expect(onClose).toHaveBeenCalledTimes(1);
      await advance(500);
      expect(getUrl).toHaveBeenCalledTimes(2);
      last().serverOpens();
      expect(opened).toEqual([false, true]);
    });

    it('keeps a socket alive as long as anything arrives, also a frame it cannot read', async () => {
      const { hook } = setup();
      await settle();
      last().serverOpens();
      for (let i = 0; i < 5; i++) {
        await advance(5000);
        last().serverSends(i % 2 ? '{broken' : { type: 'pong' });
      }
      expect(hook.result.current.status).toBe('open');
      expect(FakeSocket.all).toHaveLength(1);
    });

    it('can be turned off', async () => {
      const { hook } = setup({ heartbeat: false });
      await settle();
      last().serverOpens();
      await advance(60_000);
      expect(last().texts).toEqual([]);
      expect(hook.result.current.status).toBe('open');
    });
  });

  describe('suspend (the drop control)', () => {
    const advance = (ms: number) =>
      act(async () => {
        await vi.advanceTimersByTimeAsync(ms);
      });

    it('closes the socket now, stays away for the time asked, then reconnects as a reconnect', async () => {
      const onClose = vi.fn();
      const { hook, getUrl, opened } = setup({ onClose });
      await settle();
      const first = last();
      first.serverOpens();

      act(() => hook.result.current.suspend(5000));
      expect(first.closedWith).toBe(4001);
      expect(onClose).toHaveBeenCalledWith({ code: 4001, reason: 'simulated drop', wasClean: true, byClient: true });
      expect(hook.result.current).toMatchObject({ status: 'suspended', nextAttemptAt: Date.now() + 5000 });

      // Coming back online does not cut the drop short.
      act(() => {
        window.dispatchEvent(new Event('online'));
      });
      await advance(4999);
      expect(getUrl).toHaveBeenCalledTimes(1);
      expect(hook.result.current.status).toBe('suspended');
      await advance(1);
      expect(getUrl).toHaveBeenCalledTimes(2);
      expect(getUrl).toHaveBeenLastCalledWith({ attempt: 0, reconnect: true });
      last().serverOpens();
      expect(opened).toEqual([false, true]);
      expect(hook.result.current.status).toBe('open');
    });

    it('abandons a connection attempt still waiting for its ticket', async () => {
      let release!: (url: string) => void;
      const getUrl = vi
        .fn()
        .mockImplementationOnce(() => new Promise<string>((resolve) => (release = resolve)))
        .mockResolvedValue('ws://test/ws?ticket=later');
      const { hook } = setup({ getUrl });
      act(() => hook.result.current.suspend(1000));
      release('ws://test/ws?ticket=stale');
      await settle();
      expect(FakeSocket.all).toHaveLength(0);
      await advance(1000);
      expect(FakeSocket.all.map((s) => s.url)).toEqual(['ws://test/ws?ticket=later']);
    });

    it('ends early on "reconnect now"', async () => {
      const { hook, getUrl } = setup();
      await settle();
      last().serverOpens();
      act(() => hook.result.current.suspend(60_000));
      act(() => hook.result.current.reconnectNow());
      await settle();
      expect(getUrl).toHaveBeenCalledTimes(2);
    });
  });

  it('sends with trySend only while open', async () => {
    const { hook } = setup();
    let sent = true;
    act(() => {
      sent = hook.result.current.trySend({ type: 'presence', entityId: null, field: null });
    });
    expect(sent).toBe(false);
    await settle();
    last().serverOpens();
    act(() => {
      sent = hook.result.current.trySend({ type: 'presence', entityId: 'a', field: 'text' });
    });
    expect(sent).toBe(true);
    expect(last().texts).toEqual(['{"type":"presence","entityId":"a","field":"text"}']);
  });

  it('closes cleanly and stops reconnecting when disabled or unmounted', async () => {
    const { hook, options, getUrl } = setup();
    await settle();
    last().serverOpens();
    const socket = last();
    hook.rerender({ ...options, enabled: false });
    expect(socket.closedWith).toBe(1000);
    expect(hook.result.current.status).toBe('closed');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(getUrl).toHaveBeenCalledTimes(1);
    hook.unmount();
  });
});
