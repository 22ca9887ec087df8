import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './protocol';

const todo = {
  id: '6f1c1a8e-2f4b-4c59-9f51-1b0e7f7c0a11',
  text: 'Buy milk',
  completed: false,
  version: 1,
  updatedBy: 'alice',
  updatedAt: '2026-11-26T14:00:00.000Z',
};
const ts = '2026-11-26T14:00:00.000Z';
const parse = (value: unknown) => parseServerMessage(JSON.stringify(value));

describe('parseServerMessage', () => {
  it('reads a command.succeeded with its todo, keeping seq and epoch for a later resume', () => {
    const result = parse({
      type: 'command.succeeded',
      commandId: 'c1',
      entityId: todo.id,
      status: 'success',
      data: todo,
      timestamp: ts,
      seq: 7,
      epoch: 'e1',
      somethingNew: true,
    });
    expect(result).toEqual({
      ok: true,
      message: {
        type: 'command.succeeded',
        commandId: 'c1',
        entityId: todo.id,
        status: 'success',
        data: todo,
        timestamp: ts,
        seq: 7,
        epoch: 'e1',
      },
    });
  });

  it('reads an error with the field of the client message it is about', () => {
    const result = parse({ type: 'error', code: 'bad-text', field: 'topic', message: 'topic: must not contain a control character', timestamp: ts });
    expect(result).toEqual({
      ok: true,
      message: { type: 'error', code: 'bad-text', field: 'topic', message: 'topic: must not contain a control character', timestamp: ts },
    });
    const plain = parse({ type: 'error', code: 'unknown-type', message: 'Unknown message type', timestamp: ts });
    expect(plain.ok && plain.message.type === 'error' && 'field' in plain.message).toBe(false);
  });

  it('reads a command.succeeded after a delete (data null)', () => {
    const result = parse({ type: 'command.succeeded', commandId: 'c', entityId: 'e', status: 'success', data: null, timestamp: ts });
    expect(result.ok && result.message.type === 'command.succeeded' && result.message.data).toBe(null);
  });

  it('reads a command.failed with its error and the current todo on a conflict', () => {
    const result = parse({
      type: 'command.failed',
      commandId: 'c2',
      entityId: todo.id,
      status: 'failure',
      data: todo,
      error: { code: 'conflict', message: 'stale version' },
      timestamp: ts,
    });
    expect(result.ok).toBe(true);
    if (result.ok && result.message.type === 'command.failed') {
      expect(result.message.error).toEqual({ code: 'conflict', message: 'stale version' });
      expect(result.message.data?.text).toBe('Buy milk');
    } else {
      throw new Error('expected command.failed');
    }
  });

  it('reads topic messages', () => {
    expect(parse({ type: 'stats', todos: 3, queued: 1, connections: 2, users: 2, timestamp: ts })).toMatchObject({
      ok: true,
      message: { type: 'stats', todos: 3, queued: 1, connections: 2, users: 2 },
    });
    expect(
      parse({ type: 'todo.changed', entityId: todo.id, commandId: 'c', changedBy: 'bob', action: 'update', data: todo, timestamp: ts }),
    ).toMatchObject({ ok: true, message: { type: 'todo.changed', changedBy: 'bob', action: 'update', data: todo } });
    expect(parse({ type: 'todo.pending', entityId: 'e', commandId: 'c', by: 'bob', timestamp: ts })).toMatchObject({
      ok: true,
      message: { type: 'todo.pending', by: 'bob' },
    });
    expect(parse({ type: 'subscribed', topic: 'todos', timestamp: ts })).toMatchObject({ ok: true, message: { topic: 'todos' } });
    expect(parse({ type: 'pong', timestamp: ts })).toMatchObject({ ok: true, message: { type: 'pong' } });
    const settings = {
      httpFailureRate: 0.1,
      lostResponseRate: 0.02,
      processingFailureRate: 0.1,
      minHttpDelayMs: 100,
      maxHttpDelayMs: 800,
      minDelayMs: 1000,
      maxDelayMs: 4000,
    };
    expect(parse({ type: 'chaos', settings, timestamp: ts })).toEqual({ ok: true, message: { type: 'chaos', settings, timestamp: ts } });
    expect(parse({ type: 'chaos', settings, changedBy: 'dave', timestamp: ts })).toEqual({
      ok: true,
      message: { type: 'chaos', settings, changedBy: 'dave', timestamp: ts },
    });
    expect(parse({ type: 'chaos', settings, changedBy: null, timestamp: ts })).toEqual({ ok: true, message: { type: 'chaos', settings, timestamp: ts } });
  });

  it('drops an unknown action rather than trusting it', () => {
    const result = parse({ type: 'todo.changed', entityId: todo.id, commandId: 'c', changedBy: 'bob', action: 'explode', data: todo });
    expect(result.ok && 'action' in result.message).toBe(false);
  });

  it.each([
    ['not JSON', '{nope', 'not JSON'],
    ['an array', '[1,2]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['no type', '{"x":1}', 'no "type"'],
    ['a numeric type', '{"type":5}', 'no "type"'],
  ])('rejects %s', (_name, text, reason) => {
    expect(parseServerMessage(text)).toEqual({ ok: false, reason });
  });

  it('reports unknown types instead of throwing', () => {
    expect(parse({ type: 'presence.moved', userId: 'bob' })).toEqual({ ok: false, reason: 'unknown type "presence.moved"', type: 'presence.moved' });
    expect(parse({ type: 'toString' })).toMatchObject({ ok: false, type: 'toString' });
    expect(parse({ type: '__proto__' })).toMatchObject({ ok: false });
  });

  it('rejects known types with missing or mistyped fields', () => {
    expect(parse({ type: 'command.succeeded', entityId: 'e', status: 'success', data: null })).toMatchObject({
      ok: false,
      reason: 'command.succeeded: "commandId" must be a string',
    });
    expect(parse({ type: 'command.failed', commandId: 'c', entityId: 'e', data: null })).toMatchObject({ ok: false });
    expect(parse({ type: 'command.succeeded', commandId: 'c', entityId: 'e', data: { id: 'x' } })).toMatchObject({
      ok: false,
      reason: 'command.succeeded: "data" must be a todo or null',
    });
    expect(parse({ type: 'stats', todos: '3', queued: 0, connections: 0, users: 0 })).toMatchObject({ ok: false });
    expect(parse({ type: 'chaos', settings: { httpFailureRate: 1 } })).toMatchObject({ ok: false });
    expect(parse({ type: 'todo.changed', entityId: 'other', commandId: 'c', changedBy: 'bob', data: todo })).toMatchObject({
      ok: false,
    });
  });

  it('reads the connection messages, with the window id when the server names it', () => {
    expect(parse({ type: 'welcome', epoch: 'e1', seq: 11, windowId: 'w1', timestamp: ts })).toEqual({
      ok: true,
      message: { type: 'welcome', epoch: 'e1', seq: 11, windowId: 'w1', timestamp: ts },
    });
    expect(parse({ type: 'resumed', from: 12, to: 14 })).toEqual({ ok: true, message: { type: 'resumed', from: 12, to: 14 } });
    expect(parse({ type: 'resync', epoch: 'e2', seq: 0, windowId: 'w1' })).toMatchObject({ ok: true, message: { type: 'resync', seq: 0 } });
    expect(parse({ type: 'welcome', epoch: 'e1' })).toMatchObject({ ok: false, reason: 'welcome: "seq" must be a number' });
  });

  it('reads presence: snapshot, changes and leaves', () => {
    expect(
      parse({
        type: 'presence.snapshot',
        windows: [
          { windowId: 'w1', userId: 'alice', entityId: null, field: null },
          { windowId: 'w2', userId: 'bob', entityId: todo.id, field: 'text' },
        ],
      }),
    ).toEqual({
      ok: true,
      message: {
        type: 'presence.snapshot',
        windows: [
          { windowId: 'w1', userId: 'alice', entityId: null, field: null },
          { windowId: 'w2', userId: 'bob', entityId: todo.id, field: 'text' },
        ],
      },
    });
    expect(parse({ type: 'presence.changed', windowId: 'w2', userId: 'bob', entityId: todo.id })).toEqual({
      ok: true,
      message: { type: 'presence.changed', windowId: 'w2', userId: 'bob', entityId: todo.id, field: null },
    });
    expect(parse({ type: 'presence.left', windowId: 'w2', userId: 'bob' })).toMatchObject({ ok: true });
    expect(parse({ type: 'presence.changed', windowId: 'w2', userId: 'bob', entityId: todo.id, field: 'colour' })).toMatchObject({
      ok: false,
      reason: 'presence.changed: "field" must be "text", "completed" or null',
    });
    expect(parse({ type: 'presence.snapshot', windows: [{ windowId: 'w1' }] })).toMatchObject({ ok: false });
  });

  it('reads a numbered message of an unknown type as an event from another service', () => {
    expect(parse({ type: 'invoice.paid', amount: 12, seq: 7, epoch: 'e1', timestamp: ts })).toEqual({
      ok: true,
      message: { type: 'event', name: 'invoice.paid', fields: { amount: 12 }, seq: 7, epoch: 'e1', timestamp: ts },
    });
  });
});
