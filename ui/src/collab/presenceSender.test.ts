import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceMessage } from '../socket/protocol';
import { createPresenceSender } from './presenceSender';

function setup(open = true) {
  const sent: PresenceMessage[] = [];
  const state = { open };
  const sender = createPresenceSender({
    send: (m) => {
      if (!state.open) return false;
      sent.push(m);
      return true;
    },
    minIntervalMs: 250,
  });
  const ids = () => sent.map((m) => (m.entityId === null ? null : `${m.entityId}${m.field ? `:${m.field}` : ''}`));
  return { sender, sent, state, ids };
}

describe('presence sender', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the current focus (nothing at first) on every connect', () => {
    const { sender, ids } = setup();
    sender.connected();
    expect(ids()).toEqual([null]);
    vi.advanceTimersByTime(1000);
    sender.set({ entityId: 'a', field: null });
    sender.disconnected();
    sender.connected();
    expect(ids()).toEqual([null, 'a', 'a']);
  });

  it('sends at most one update per 250 ms, and the latest focus wins', () => {
    const { sender, ids } = setup();
    sender.connected(); // t=0: null
    sender.set({ entityId: 'a', field: null });
    sender.set({ entityId: 'b', field: null });
    sender.set({ entityId: 'c', field: 'text' });
    expect(ids()).toEqual([null]);
    vi.advanceTimersByTime(249);
    expect(ids()).toEqual([null]);
    vi.advanceTimersByTime(1);
    expect(ids()).toEqual([null, 'c:text']);
    // A burst of 40 moves over 1 s: at most 4 more messages, ending with the last focus.
    for (let i = 0; i < 40; i++) {
      sender.set({ entityId: `r${i}`, field: null });
      vi.advanceTimersByTime(25);
    }
    vi.advanceTimersByTime(250);
    const burst = ids().slice(2);
    expect(burst.length).toBeLessThanOrEqual(5);
    expect(burst[burst.length - 1]).toBe('r39');
  });

  it('sends at once after a quiet while, and never the same focus twice', () => {
    const { sender, ids } = setup();
    sender.connected();
    vi.advanceTimersByTime(1000);
    sender.set({ entityId: 'a', field: 'completed' });
    expect(ids()).toEqual([null, 'a:completed']);
    vi.advanceTimersByTime(1000);
    sender.set({ entityId: 'a', field: 'completed' }); // what the server has already
    sender.set({ entityId: 'b', field: null }); // quiet for 1 s: at once
    sender.set({ entityId: 'c', field: null });
    sender.set({ entityId: 'b', field: null }); // back before the trailing send: nothing to say
    vi.advanceTimersByTime(1000);
    expect(ids()).toEqual([null, 'a:completed', 'b']);
  });

  it('sends nothing while closed and catches up on connect', () => {
    const { sender, ids, state } = setup(false);
    sender.set({ entityId: 'a', field: 'text' });
    vi.advanceTimersByTime(1000);
    expect(ids()).toEqual([]);
    state.open = true;
    sender.connected();
    expect(ids()).toEqual(['a:text']);
  });

  it('never sends a field without a todo', () => {
    const { sender, sent } = setup();
    sender.connected();
    vi.advanceTimersByTime(1000);
    sender.set({ entityId: null, field: 'text' });
    expect(sent).toEqual([{ type: 'presence', entityId: null, field: null }]);
  });
});

describe('presence sender: the server may lose the window', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('announces the focus again every 5 s while connected, and stops when disconnected', () => {
    const { sender, ids, state } = setup(false);
    sender.set({ entityId: 'a', field: null });
    state.open = true;
    sender.connected();
    expect(ids()).toEqual(['a']);
    vi.advanceTimersByTime(4999);
    expect(ids()).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(ids()).toEqual(['a', 'a']);
    vi.advanceTimersByTime(10_000);
    expect(ids()).toEqual(['a', 'a', 'a', 'a']);
    sender.disconnected();
    vi.advanceTimersByTime(60_000);
    expect(ids()).toHaveLength(4);
  });

  it('after unknown-todo announces the window at no todo, and tries the todo again at the next refresh', () => {
    const { sender, ids, state } = setup(false);
    sender.set({ entityId: 'a', field: 'text' });
    state.open = true;
    sender.connected();
    sender.rejected('unknown-todo');
    vi.advanceTimersByTime(250);
    expect(ids()).toEqual(['a:text', null]);
    vi.advanceTimersByTime(4750);
    expect(ids()).toEqual(['a:text', null, 'a:text']);
  });

  it('after unavailable keeps the current announcement and tries the wanted focus again at the next refresh', () => {
    const { sender, ids } = setup();
    sender.connected(); // t=0: null, taken
    vi.advanceTimersByTime(1000);
    sender.set({ entityId: 'a', field: 'text' }); // t=1000: the server cannot check 'a' in time
    sender.rejected('unavailable');
    vi.advanceTimersByTime(3999);
    expect(ids()).toEqual([null, 'a:text']); // no retry while the server is busy, no fallback to no todo
    vi.advanceTimersByTime(1); // t=5000: the refresh
    expect(ids()).toEqual([null, 'a:text', 'a:text']);
  });

  it('after unavailable does not take the refused focus for granted', () => {
    const { sender, ids } = setup();
    sender.connected();
    vi.advanceTimersByTime(1000);
    sender.set({ entityId: 'a', field: 'text' });
    sender.rejected('unavailable'); // the server still has the window at no todo
    vi.advanceTimersByTime(100);
    sender.set({ entityId: 'b', field: null });
    vi.advanceTimersByTime(100);
    sender.set({ entityId: 'a', field: 'text' }); // back before the trailing send
    vi.advanceTimersByTime(50);
    expect(ids()).toEqual([null, 'a:text', 'a:text']);
  });

  it('sends again after rate-limited, but not after bad-presence, nor for other errors', () => {
    const { sender, ids } = setup();
    sender.connected();
    sender.rejected('rate-limited');
    vi.advanceTimersByTime(250);
    expect(ids()).toEqual([null, null]);
    sender.rejected('bad-presence');
    sender.rejected('unknown-type');
    vi.advanceTimersByTime(1000);
    expect(ids()).toEqual([null, null]);
  });

  it('ignores refusals while not connected', () => {
    const { sender, ids } = setup();
    sender.rejected('rate-limited');
    vi.advanceTimersByTime(1000);
    expect(ids()).toEqual([]);
  });
});
