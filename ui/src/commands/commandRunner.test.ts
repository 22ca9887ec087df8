import { describe, expect, it, vi } from 'vitest';
import type { CommandCall } from '../api/endpoints';
import { RequestError } from '../api/retryPolicy';
import type { CommandAccepted } from '../api/types';
import type { TodosAction } from './commandReducer';
import { createCommandRunner } from './commandRunner';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const calls: { what: string; call: CommandCall; answer: ReturnType<typeof deferred<CommandAccepted>> }[] = [];
  const record = (what: string, call: CommandCall) => {
    const answer = deferred<CommandAccepted>();
    calls.push({ what, call, answer });
    return answer.promise;
  };
  const api = {
    createTodo: vi.fn((todo: { id: string; text: string }, call: CommandCall) => record(`create ${todo.id} ${todo.text}`, call)),
    updateTodo: vi.fn((id: string, patch: object, call: CommandCall) => record(`update ${id} ${JSON.stringify(patch)}`, call)),
    deleteTodo: vi.fn((id: string, call: CommandCall, expectedVersion?: number) =>
      record(`delete ${id}${expectedVersion === undefined ? '' : `?expectedVersion=${expectedVersion}`}`, call),
    ),
  };
  const actions: TodosAction[] = [];
  let n = 0;
  const runner = createCommandRunner({ api, dispatch: (a) => actions.push(a), newKey: () => `key-${++n}`, now: () => 1000 });
  return { api, calls, actions, runner };
}

describe('commandRunner', () => {
  it('issues a command with a fresh key and reports its attempts, retries and acceptance', async () => {
    const { calls, actions, runner } = setup();
    expect(runner.issue({ kind: 'create', entityId: 'n1', text: 'Buy milk' })).toBe('key-1');
    await flush();
    expect(calls.map((c) => [c.what, c.call.idempotencyKey])).toEqual([['create n1 Buy milk', 'key-1']]);
    calls[0]!.call.hooks!.onAttempt!(1);
    calls[0]!.call.hooks!.onRetry!({ failedAttempt: 1, nextAttempt: 2, delayMs: 700, error: new RequestError('http', 'x', 500) });
    calls[0]!.answer.resolve({ commandId: 'c1', entityId: 'n1', status: 'accepted' });
    await flush();
    expect(actions).toEqual([
      { type: 'command/issued', key: 'key-1', kind: 'create', entityId: 'n1', patch: { text: 'Buy milk' }, label: 'Buy milk', at: 1000 },
      { type: 'command/attempt', key: 'key-1', attempt: 1 },
      { type: 'command/retrying', key: 'key-1', nextAttempt: 2, nextAttemptAt: 1700, reason: 'HTTP 500' },
      { type: 'command/accepted', key: 'key-1', commandId: 'c1', at: 1000 },
    ]);
  });

  it('sends commands on one todo one after the other, and on different todos at once', async () => {
    const { calls, runner } = setup();
    runner.issue({ kind: 'create', entityId: 'a', text: 'A' });
    runner.issue({ kind: 'update', entityId: 'a', patch: { completed: true }, label: 'A' });
    runner.issue({ kind: 'delete', entityId: 'b', label: 'B' });
    await flush();
    expect(calls.map((c) => c.what)).toEqual(['create a A', 'delete b']);
    calls[0]!.answer.resolve({ commandId: 'c1', entityId: 'a', status: 'accepted' });
    await flush();
    expect(calls.map((c) => c.what)).toEqual(['create a A', 'delete b', 'update a {"completed":true}']);
  });

  it('lets the next command go after the previous one failed, and reports the failure', async () => {
    const { calls, actions, runner } = setup();
    runner.issue({ kind: 'update', entityId: 'a', patch: { text: 'x' }, label: 'A' });
    runner.issue({ kind: 'delete', entityId: 'a', label: 'A' });
    await flush();
    const error = new RequestError('http', 'Server Error', 503);
    error.attempts = 6;
    calls[0]!.answer.reject(error);
    await flush();
    expect(actions).toContainEqual({
      type: 'command/rejected',
      key: 'key-1',
      error: { code: 'http-503', message: '503 Server Error after 6 attempts' },
      at: 1000,
    });
    expect(calls.map((c) => c.what)).toEqual(['update a {"text":"x"}', 'delete a']);
  });

  it('goes quiet once disposed', async () => {
    const { calls, actions, runner } = setup();
    runner.issue({ kind: 'create', entityId: 'a', text: 'A' });
    await flush();
    runner.dispose();
    expect(calls[0]!.call.signal!.aborted).toBe(true);
    calls[0]!.answer.reject(new RequestError('aborted', 'cancelled'));
    await flush();
    expect(actions.map((a) => a.type)).toEqual(['command/issued']);
  });

  it('sends the version the user saw with updates and deletes, and keeps the userSeq of the 202', async () => {
    const { calls, actions, runner } = setup();
    runner.issue({ kind: 'update', entityId: 'a', patch: { completed: true }, label: 'A', expectedVersion: 4 });
    runner.issue({ kind: 'delete', entityId: 'b', label: 'B', expectedVersion: 7 });
    await flush();
    expect(calls.map((c) => c.what)).toEqual(['update a {"completed":true,"expectedVersion":4}', 'delete b?expectedVersion=7']);
    expect(actions[0]).toMatchObject({ type: 'command/issued', key: 'key-1', expectedVersion: 4, patch: { completed: true } });
    calls[0]!.answer.resolve({ commandId: 'c1', entityId: 'a', status: 'accepted', userSeq: 41 });
    await flush();
    expect(actions).toContainEqual({ type: 'command/accepted', key: 'key-1', commandId: 'c1', at: 1000, userSeq: 41 });
  });
});
