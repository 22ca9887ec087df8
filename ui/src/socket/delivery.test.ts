import { describe, expect, it } from 'vitest';
import { createDeliveryTracker, socketUrl } from './delivery';
import type { ServerMessage } from './protocol';

const at = { protocol: 'http:', host: 'localhost:8080' };

const outcome = (seq: number, epoch = 'e1'): ServerMessage => ({
  type: 'command.succeeded',
  commandId: `c${seq}`,
  entityId: 'x',
  status: 'success',
  data: null,
  seq,
  epoch,
});

describe('socketUrl', () => {
  it('opens a fresh connection with the ticket alone', () => {
    expect(socketUrl('t 1', null, at)).toBe('ws://localhost:8080/ws?ticket=t%201');
  });

  it('resumes with the epoch and the last seq processed, over wss on https', () => {
    expect(socketUrl('t1', { epoch: 'ep/1', seq: 14 }, { protocol: 'https:', host: 'demo' })).toBe(
      'wss://demo/ws?ticket=t1&epoch=ep%2F1&lastSeq=14',
    );
  });
});

describe('delivery tracker', () => {
  it('starts from the welcome and moves the cursor with every personal message', () => {
    const t = createDeliveryTracker();
    expect(t.cursor()).toBeNull();
    expect(t.receive({ type: 'welcome', epoch: 'e1', seq: 11, windowId: 'w1' })).toEqual({ kind: 'welcome', epoch: 'e1', seq: 11 });
    expect(t.windowId()).toBe('w1');
    expect(t.cursor()).toEqual({ epoch: 'e1', seq: 11 });
    expect(t.receive(outcome(12))).toEqual({ kind: 'deliver' });
    expect(t.receive({ type: 'event', name: 'invoice.paid', fields: {}, seq: 13, epoch: 'e1' })).toEqual({ kind: 'deliver' });
    expect(t.cursor()).toEqual({ epoch: 'e1', seq: 13 });
    // Topic messages and replies carry no seq and leave the cursor alone.
    expect(t.receive({ type: 'pong' })).toEqual({ kind: 'deliver' });
    expect(t.receive({ type: 'todo.pending', entityId: 'x', commandId: 'c', by: 'bob' })).toEqual({ kind: 'deliver' });
    expect(t.cursor()).toEqual({ epoch: 'e1', seq: 13 });
  });

  it('drops a personal message it has already processed', () => {
    const t = createDeliveryTracker();
    t.receive({ type: 'welcome', epoch: 'e1', seq: 0 });
    t.receive(outcome(1));
    t.receive(outcome(2));
    expect(t.receive(outcome(2))).toEqual({ kind: 'duplicate', seq: 2, lastSeq: 2 });
    expect(t.receive(outcome(1))).toEqual({ kind: 'duplicate', seq: 1, lastSeq: 2 });
    expect(t.cursor()).toEqual({ epoch: 'e1', seq: 2 });
    expect(t.receive(outcome(3))).toEqual({ kind: 'deliver' });
  });

  it('counts what a resume replayed', () => {
    const t = createDeliveryTracker();
    t.receive({ type: 'welcome', epoch: 'e1', seq: 11 });
    // the replay: 12..14, then resumed
    for (const seq of [12, 13, 14]) expect(t.receive(outcome(seq))).toEqual({ kind: 'deliver' });
    expect(t.receive({ type: 'resumed', from: 12, to: 14, windowId: 'w2' })).toEqual({ kind: 'resumed', from: 12, to: 14, count: 3 });
    expect(t.windowId()).toBe('w2');
    expect(t.receive({ type: 'resumed', from: 15, to: 14 })).toMatchObject({ count: 0 });
  });

  it('resyncs when the server says so, taking its epoch and seq', () => {
    const t = createDeliveryTracker();
    t.receive({ type: 'welcome', epoch: 'e1', seq: 5 });
    expect(t.receive({ type: 'resync', epoch: 'e2', seq: 40, windowId: 'w3' })).toEqual({
      kind: 'resync',
      why: 'new epoch e2 (history lost)',
      deliver: false,
    });
    expect(t.cursor()).toEqual({ epoch: 'e2', seq: 40 });
    expect(t.windowId()).toBe('w3');
    expect(t.receive(outcome(41, 'e2'))).toEqual({ kind: 'deliver' });
    expect(t.receive({ type: 'resync', epoch: 'e2', seq: 90 })).toMatchObject({ kind: 'resync', why: 'cannot replay after seq 41 (now 90)' });
  });

  it('treats a hole in the numbering, or a new epoch without resync, as a resync, and still delivers', () => {
    const t = createDeliveryTracker();
    t.receive({ type: 'welcome', epoch: 'e1', seq: 1 });
    expect(t.receive(outcome(5))).toEqual({ kind: 'resync', why: 'seq 5 after 1: 3 missing', deliver: true });
    expect(t.cursor()).toEqual({ epoch: 'e1', seq: 5 });
    expect(t.receive(outcome(1, 'e9'))).toEqual({ kind: 'resync', why: 'new epoch e9 without resync', deliver: true });
    expect(t.cursor()).toEqual({ epoch: 'e9', seq: 1 });
  });

  it('distrusts a welcome that does not continue where the window was', () => {
    const t = createDeliveryTracker();
    t.receive({ type: 'welcome', epoch: 'e1', seq: 3 });
    expect(t.receive({ type: 'welcome', epoch: 'e1', seq: 3 })).toMatchObject({ kind: 'welcome' });
    expect(t.receive({ type: 'welcome', epoch: 'e1', seq: 7 })).toMatchObject({ kind: 'resync', deliver: false });
    expect(t.cursor()).toEqual({ epoch: 'e1', seq: 7 });
  });
});
