import { describe, expect, it } from 'vitest';
import type { PresenceWindow, ServerMessage } from '../socket/protocol';
import { initialPresence, initials, onlineUsers, presenceByTodo, presenceReducer, type PresenceState } from './presence';

const ME = 'alice';
const run = (state: PresenceState, ...messages: ServerMessage[]) =>
  messages.reduce((s, message) => presenceReducer(s, { type: 'message', message }), state);
const w = (windowId: string, userId: string, entityId: string | null = null, field: PresenceWindow['field'] = null): PresenceWindow => ({
  windowId,
  userId,
  entityId,
  field,
});

const snapshot: ServerMessage = {
  type: 'presence.snapshot',
  windows: [w('a1', 'alice', 't1', 'text'), w('a2', 'alice'), w('b1', 'bob', 't1', null), w('c1', 'carol', 't2', 'completed')],
};

describe('presence', () => {
  it('takes the snapshot as the whole picture and counts windows per user, this user first', () => {
    const state = run(initialPresence, snapshot);
    expect(state.known).toBe(true);
    expect(onlineUsers(state, ME)).toEqual([
      { userId: 'alice', windows: 2, me: true },
      { userId: 'bob', windows: 1, me: false },
      { userId: 'carol', windows: 1, me: false },
    ]);
    // A second snapshot replaces the first one.
    const again = run(state, { type: 'presence.snapshot', windows: [w('b1', 'bob')] });
    expect(onlineUsers(again, ME)).toEqual([{ userId: 'bob', windows: 1, me: false }]);
  });

  it('marks todos with other users only: this user’s own windows never show', () => {
    const marks = presenceByTodo(run(initialPresence, snapshot), ME);
    expect(marks.get('t1')).toEqual({ viewers: ['bob'], editors: [] });
    expect(marks.get('t2')).toEqual({ viewers: ['carol'], editors: [{ userId: 'carol', field: 'completed' }] });
    expect([...marks.keys()].sort()).toEqual(['t1', 't2']);
  });

  it('moves a marker when a window moves, and adds a window that appears', () => {
    let state = run(initialPresence, snapshot);
    state = run(state, { type: 'presence.changed', windowId: 'b1', userId: 'bob', entityId: 't2', field: 'text' });
    state = run(state, { type: 'presence.changed', windowId: 'd1', userId: 'dave', entityId: 't1', field: null });
    const marks = presenceByTodo(state, ME);
    expect(marks.get('t1')).toEqual({ viewers: ['dave'], editors: [] });
    expect(marks.get('t2')).toEqual({
      viewers: ['bob', 'carol'],
      editors: [
        { userId: 'bob', field: 'text' },
        { userId: 'carol', field: 'completed' },
      ],
    });
    expect(onlineUsers(state, ME).map((u) => u.userId)).toEqual(['alice', 'bob', 'carol', 'dave']);
  });

  it('removes a window that left, and its marker with it', () => {
    let state = run(initialPresence, snapshot);
    state = run(state, { type: 'presence.left', windowId: 'c1', userId: 'carol' });
    expect(presenceByTodo(state, ME).has('t2')).toBe(false);
    expect(onlineUsers(state, ME).map((u) => u.userId)).toEqual(['alice', 'bob']);
    // One of alice's two windows goes: she stays online with one.
    state = run(state, { type: 'presence.left', windowId: 'a2', userId: 'alice' });
    expect(onlineUsers(state, ME)[0]).toEqual({ userId: 'alice', windows: 1, me: true });
    // Leaving twice, or a window never seen, changes nothing.
    expect(run(state, { type: 'presence.left', windowId: 'zz', userId: 'x' })).toBe(state);
  });

  it('lists a user with two windows on one todo once', () => {
    const state = run(initialPresence, {
      type: 'presence.snapshot',
      windows: [w('b1', 'bob', 't1', 'text'), w('b2', 'bob', 't1', 'text'), w('b3', 'bob', 't1', null)],
    });
    expect(presenceByTodo(state, ME).get('t1')).toEqual({ viewers: ['bob'], editors: [{ userId: 'bob', field: 'text' }] });
    expect(onlineUsers(state, ME)).toEqual([{ userId: 'bob', windows: 3, me: false }]);
  });

  it('forgets everyone when the socket closes (nobody is known while offline)', () => {
    const state = presenceReducer(run(initialPresence, snapshot), { type: 'reset' });
    expect(state).toEqual(initialPresence);
    expect(presenceReducer(state, { type: 'reset' })).toBe(state);
  });

  it('ignores other messages', () => {
    const state = run(initialPresence, snapshot);
    expect(run(state, { type: 'pong' })).toBe(state);
  });

  it('makes initials', () => {
    expect(initials('alice')).toBe('AL');
    expect(initials('mary-jane')).toBe('MJ');
    expect(initials('b')).toBe('B');
  });
});
