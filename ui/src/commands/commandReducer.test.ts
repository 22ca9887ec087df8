import { describe, expect, it } from 'vitest';
import type { Todo } from '../api/types';
import type { Mode } from '../modes/modes';
import type { ServerMessage } from '../socket/protocol';
import { initialTodosState, todosReducer, type TodosAction, type TodosState } from './commandReducer';
import { selectView } from './selectView';

const ME = 'alice';
const T0 = 1_000_000;

function todo(id: string, text: string, completed = false, version = 1, updatedBy = ME): Todo {
  return { id, text, completed, version, updatedBy, updatedAt: '2026-11-26T14:00:00.000Z' };
}

function run(state: TodosState, ...actions: TodosAction[]): TodosState {
  return actions.reduce(todosReducer, state);
}

function loaded(mode: Mode, todos: Todo[] = []): TodosState {
  return run(initialTodosState(ME, mode), { type: 'list/requested' }, { type: 'list/loaded', todos });
}

const msg = (message: ServerMessage): TodosAction => ({ type: 'message', message, at: T0 + 5000 });
const issueCreate = (key: string, id: string, text: string): TodosAction => ({
  type: 'command/issued',
  key,
  kind: 'create',
  entityId: id,
  patch: { text },
  label: text,
  at: T0,
});
const issueUpdate = (key: string, id: string, patch: { text?: string; completed?: boolean }, label: string): TodosAction => ({
  type: 'command/issued',
  key,
  kind: 'update',
  entityId: id,
  patch,
  label,
  at: T0,
});
const issueDelete = (key: string, id: string, label: string): TodosAction => ({
  type: 'command/issued',
  key,
  kind: 'delete',
  entityId: id,
  patch: {},
  label,
  at: T0,
});
const accepted = (key: string, commandId: string): TodosAction => ({ type: 'command/accepted', key, commandId, at: T0 + 300 });
const succeeded = (commandId: string, entityId: string, data: Todo | null): TodosAction =>
  msg({ type: 'command.succeeded', commandId, entityId, status: 'success', data });
const failed = (commandId: string, entityId: string, code = 'processing-failed', data: Todo | null = null): TodosAction =>
  msg({ type: 'command.failed', commandId, entityId, status: 'failure', data, error: { code, message: 'Processing failed' } });
const changed = (commandId: string, entityId: string, changedBy: string, data: Todo | null, action?: 'create' | 'update' | 'delete'): TodosAction =>
  msg({ type: 'todo.changed', commandId, entityId, changedBy, data, ...(action ? { action } : {}) });

const rows = (state: TodosState) => selectView(state).rows;
const row = (state: TodosState, id: string) => rows(state).find((r) => r.id === id);
const texts = (state: TodosState) => rows(state).map((r) => r.todo.text);
const notices = (state: TodosState) => state.notices.map((n) => [n.kind, n.text]);

describe('the list', () => {
  it('shows skeletons until the first answer, then the todos in server order', () => {
    const loading = run(initialTodosState(ME, 'safe'), { type: 'list/requested' });
    expect(loading.list).toBe('loading');
    const state = todosReducer(loading, { type: 'list/loaded', todos: [todo('a', 'A'), todo('b', 'B')] });
    expect(state.list).toBe('ready');
    expect(texts(state)).toEqual(['A', 'B']);
    expect(rows(state).every((r) => r.status === 'idle' && !r.pending)).toBe(true);
  });

  it('does not let a refetch undo a push that arrived while it was in flight', () => {
    let state = loaded('safe', [todo('a', 'A', false, 1), todo('b', 'B')]);
    state = run(
      state,
      { type: 'list/requested' },
      changed('c1', 'a', 'bob', todo('a', 'A', true, 2, 'bob')),
      changed('c2', 'b', 'bob', null, 'delete'),
      // The answer was read before those changes were applied.
      { type: 'list/loaded', todos: [todo('a', 'A', false, 1), todo('b', 'B')] },
    );
    expect(rows(state).map((r) => [r.id, r.todo.completed])).toEqual([['a', true]]);
  });

  it('takes in what a refetch brings that the pushes missed (after a reconnect)', () => {
    let state = loaded('safe', [todo('a', 'A'), todo('b', 'B')]);
    state = run(state, { type: 'list/requested' }, { type: 'list/loaded', todos: [todo('a', 'A2', false, 2), todo('c', 'C')] });
    expect(texts(state)).toEqual(['A2', 'C']);
  });

  it('keeps showing the list when a refetch fails', () => {
    const state = run(loaded('safe', [todo('a', 'A')]), { type: 'list/requested' }, { type: 'list/failed', message: 'down' });
    expect(state.list).toBe('ready');
    expect(texts(state)).toEqual(['A']);
  });
});

describe('safe mode: the list changes only when the server confirms', () => {
  it('keeps a new todo in the outbox through sending, retrying and accepted, then lists it confirmed', () => {
    let state = run(loaded('safe'), issueCreate('k1', 'n1', 'Buy milk'));
    expect(rows(state)).toEqual([]);
    expect(selectView(state).outbox.map((e) => [e.entityId, e.phase])).toEqual([['n1', 'sending']]);

    state = run(
      state,
      { type: 'command/retrying', key: 'k1', nextAttempt: 2, nextAttemptAt: T0 + 800, reason: '500' },
    );
    expect(selectView(state).outbox[0]).toMatchObject({ phase: 'retrying', attempt: 2, nextAttemptAt: T0 + 800 });
    state = run(state, { type: 'command/attempt', key: 'k1', attempt: 2 }, accepted('k1', 'c1'));
    expect(rows(state)).toEqual([]);
    expect(selectView(state).outbox[0]!.phase).toBe('accepted');

    state = run(state, succeeded('c1', 'n1', todo('n1', 'Buy milk')));
    expect(rows(state).map((r) => [r.todo.text, r.status, r.pending])).toEqual([['Buy milk', 'confirmed', false]]);
    expect(selectView(state).outbox).toEqual([]);
    expect(notices(state)).toEqual([['success', "Confirmed: added 'Buy milk'"]]);
  });

  it('shows an accepted toggle as pending without changing the checkbox', () => {
    let state = run(loaded('safe', [todo('a', 'Buy milk')]), issueUpdate('k', 'a', { completed: true }, 'Buy milk'), accepted('k', 'c'));
    expect(row(state, 'a')).toMatchObject({ status: 'accepted', pending: true, todo: { completed: false } });
    state = run(state, succeeded('c', 'a', todo('a', 'Buy milk', true, 2)));
    expect(row(state, 'a')).toMatchObject({ status: 'confirmed', pending: false, todo: { completed: true } });
  });

  it('shows a failure without any rollback: nothing had changed', () => {
    const state = run(
      loaded('safe', [todo('a', 'Buy milk')]),
      issueUpdate('k', 'a', { completed: true }, 'Buy milk'),
      accepted('k', 'c'),
      failed('c', 'a'),
    );
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: false, todo: { completed: false } });
    expect(notices(state)).toEqual([['error', "Could not complete 'Buy milk': The server could not carry it out (processing-failed)"]]);
  });

  it('keeps the row of an accepted delete until the delete is confirmed', () => {
    let state = run(loaded('safe', [todo('a', 'A')]), issueDelete('k', 'a', 'A'), accepted('k', 'c'));
    expect(row(state, 'a')).toMatchObject({ status: 'accepted', pending: true });
    state = run(state, succeeded('c', 'a', null));
    expect(rows(state)).toEqual([]);
    expect(state.order).toEqual([]);
  });
});

describe('optimistic mode: the list changes on 202 and rolls back on failure', () => {
  it('lists a new todo only once it is accepted', () => {
    let state = run(loaded('optimistic'), issueCreate('k', 'n', 'Buy milk'));
    expect(rows(state)).toEqual([]);
    expect(selectView(state).outbox).toHaveLength(1);
    state = run(state, accepted('k', 'c'));
    expect(rows(state).map((r) => [r.todo.text, r.status, r.pending])).toEqual([['Buy milk', 'accepted', true]]);
    expect(selectView(state).outbox).toEqual([]);
  });

  it('rolls a toggle back visibly when processing fails', () => {
    let state = run(loaded('optimistic', [todo('a', 'Buy milk')]), issueUpdate('k', 'a', { completed: true }, 'Buy milk'));
    expect(row(state, 'a')!.todo.completed).toBe(false);
    state = run(state, accepted('k', 'c'));
    expect(row(state, 'a')!.todo.completed).toBe(true);
    state = run(state, failed('c', 'a'));
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: true, pending: false, todo: { completed: false } });
    expect(notices(state)).toEqual([
      ['error', "Could not complete 'Buy milk': The server could not carry it out (processing-failed). Rolled back."],
    ]);
  });

  it('rolls a failed create back to a struck-through row that fades out', () => {
    let state = run(loaded('optimistic'), issueCreate('k', 'n', 'Buy milk'), accepted('k', 'c'), failed('c', 'n'));
    expect(row(state, 'n')).toMatchObject({ ghost: true, status: 'failed', rolledBack: true });
    state = run(state, { type: 'command/dismissed', key: 'k' });
    expect(rows(state)).toEqual([]);
    expect(selectView(state).outbox).toEqual([]);
    expect(state.order).toEqual([]);
  });

  it('brings a deleted row back when the delete fails', () => {
    let state = run(loaded('optimistic', [todo('a', 'A')]), issueDelete('k', 'a', 'A'), accepted('k', 'c'));
    expect(rows(state)).toEqual([]);
    state = run(state, failed('c', 'a', 'not-found'));
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: true, todo: { text: 'A' } });
  });

  it('does not call an HTTP failure before the 202 a rollback: the list never showed it', () => {
    const state = run(
      loaded('optimistic', [todo('a', 'A')]),
      issueUpdate('k', 'a', { text: 'B' }, 'A'),
      { type: 'command/rejected', key: 'k', error: { code: 'http-500', message: '500 after 6 attempts' }, at: T0 },
    );
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: false, todo: { text: 'A' } });
    expect(notices(state)).toEqual([['error', "Could not rename 'A' to 'B': The server had a problem (http-500)"]]);
  });

  it('shows the current todo from a conflict failure', () => {
    const state = run(
      loaded('optimistic', [todo('a', 'A', false, 1)]),
      issueUpdate('k', 'a', { text: 'Mine' }, 'A'),
      accepted('k', 'c'),
      failed('c', 'a', 'conflict', todo('a', 'Theirs', false, 3, 'bob')),
    );
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: true, todo: { text: 'Theirs', version: 3 } });
  });
});

describe('brave mode: the list changes at once and rolls back on failure', () => {
  it('shows a new todo while it is still being sent, and confirms it', () => {
    let state = run(loaded('brave'), issueCreate('k', 'n', 'Buy milk'));
    expect(rows(state).map((r) => [r.todo.text, r.status, r.pending])).toEqual([['Buy milk', 'sending', true]]);
    expect(selectView(state).outbox).toEqual([]);
    state = run(state, accepted('k', 'c'), succeeded('c', 'n', todo('n', 'Buy milk')));
    expect(rows(state).map((r) => [r.todo.text, r.status, r.pending])).toEqual([['Buy milk', 'confirmed', false]]);
  });

  it('rolls back a change whose request failed for good', () => {
    let state = run(loaded('brave', [todo('a', 'A')]), issueUpdate('k', 'a', { completed: true }, 'A'));
    expect(row(state, 'a')!.todo.completed).toBe(true);
    state = run(state, { type: 'command/rejected', key: 'k', error: { code: 'network', message: 'no connection' }, at: T0 });
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: true, todo: { completed: false } });
    expect(state.notices[0]!.text).toContain('Rolled back');
  });

  it('rolls back a create that failed in processing, then lets it fade', () => {
    let state = run(loaded('brave'), issueCreate('k', 'n', 'X'), accepted('k', 'c'), failed('c', 'n'));
    expect(row(state, 'n')).toMatchObject({ ghost: true, status: 'failed', rolledBack: true });
    state = run(state, { type: 'command/dismissed', key: 'k' });
    expect(rows(state)).toEqual([]);
  });

  it('applies commands in order and rolls back only the one that failed', () => {
    let state = run(
      loaded('brave', [todo('a', 'A', false, 1)]),
      issueUpdate('k1', 'a', { text: 'B' }, 'A'),
      issueUpdate('k2', 'a', { completed: true }, 'B'),
    );
    expect(row(state, 'a')!.todo).toMatchObject({ text: 'B', completed: true });
    state = run(state, accepted('k1', 'c1'), accepted('k2', 'c2'), failed('c1', 'a'));
    expect(row(state, 'a')!.todo).toMatchObject({ text: 'A', completed: true });
    // The item shows its latest command, which is still on its way.
    expect(row(state, 'a')).toMatchObject({ status: 'accepted', pending: true });
    state = run(state, succeeded('c2', 'a', todo('a', 'A', true, 2)));
    expect(row(state, 'a')).toMatchObject({ status: 'confirmed', pending: false, todo: { text: 'A', completed: true } });
  });

  it('hides a deleted row at once and brings it back on failure', () => {
    let state = run(loaded('brave', [todo('a', 'A')]), issueDelete('k', 'a', 'A'));
    expect(rows(state)).toEqual([]);
    state = run(state, { type: 'command/rejected', key: 'k', error: { code: 'http-404', message: 'gone' }, at: T0 });
    expect(row(state, 'a')).toMatchObject({ status: 'failed', rolledBack: true });
  });
});

describe('switching modes', () => {
  it('re-derives the list from the same commands', () => {
    let state = run(loaded('safe', [todo('a', 'A')]), issueUpdate('k', 'a', { completed: true }, 'A'));
    expect(row(state, 'a')!.todo.completed).toBe(false);
    state = todosReducer(state, { type: 'mode/changed', mode: 'brave' });
    expect(row(state, 'a')!.todo.completed).toBe(true);
    state = todosReducer(state, { type: 'mode/changed', mode: 'optimistic' });
    expect(row(state, 'a')!.todo.completed).toBe(false);
    state = todosReducer(state, accepted('k', 'c'));
    expect(row(state, 'a')!.todo.completed).toBe(true);
  });
});

describe('outcomes and pushes', () => {
  it('ignores a duplicate outcome: one toast per command', () => {
    const state = run(
      loaded('optimistic', [todo('a', 'A')]),
      issueUpdate('k', 'a', { completed: true }, 'A'),
      accepted('k', 'c'),
      succeeded('c', 'a', todo('a', 'A', true, 2)),
      { type: 'notices/shown', ids: ['outcome:c'] },
      succeeded('c', 'a', todo('a', 'A', true, 2)),
    );
    expect(state.notices).toEqual([]);
  });

  it('holds an outcome that overtakes its 202 and settles the command when the 202 arrives', () => {
    let state = run(loaded('optimistic'), issueCreate('k', 'n', 'Buy milk'), succeeded('c', 'n', todo('n', 'Buy milk')));
    expect(state.notices).toEqual([]);
    expect(selectView(state).rows.map((r) => r.status)).toEqual(['sending']);
    state = run(state, accepted('k', 'c'));
    expect(row(state, 'n')).toMatchObject({ status: 'confirmed', pending: false });
    expect(notices(state)).toEqual([['success', "Confirmed: added 'Buy milk'"]]);
  });

  it('confirms in this window a command that the same user sent from another window', () => {
    let state = loaded('safe', [todo('a', 'A')]);
    state = run(state, changed('c9', 'n', ME, todo('n', 'From window 1'), 'create'), succeeded('c9', 'n', todo('n', 'From window 1')));
    expect(row(state, 'n')).toMatchObject({ status: 'confirmed', pending: false, todo: { text: 'From window 1' } });
    expect(notices(state)).toEqual([['success', "Confirmed (from another window): 'From window 1'"]]);
  });

  it('confirms "after all" a command this window gave up on but the server had accepted', () => {
    const state = run(
      loaded('optimistic', [todo('a', 'A')]),
      issueUpdate('k', 'a', { completed: true }, 'A'),
      { type: 'command/rejected', key: 'k', error: { code: 'http-500', message: 'lost' }, at: T0 },
      succeeded('c', 'a', todo('a', 'A', true, 2)),
    );
    expect(row(state, 'a')).toMatchObject({ status: 'confirmed', todo: { completed: true } });
    expect(state.notices.at(-1)).toMatchObject({ kind: 'success', text: "Confirmed after all: 'A'" });
  });

  it('tells about other people\'s changes in plain words, and not about mine', () => {
    let state = loaded('optimistic', [todo('a', 'Buy milk'), todo('b', 'Old')]);
    state = run(
      state,
      changed('x1', 'a', 'bob', todo('a', 'Buy milk', true, 2, 'bob'), 'update'),
      changed('x2', 'b', 'bob', todo('b', 'New', false, 2, 'bob'), 'update'),
      changed('x3', 'c', 'carol', todo('c', 'Fresh', false, 1, 'carol'), 'create'),
      changed('x4', 'c', 'carol', null, 'delete'),
      changed('x5', 'a', ME, todo('a', 'Buy milk', false, 3), 'update'),
    );
    expect(notices(state)).toEqual([
      ['info', "bob completed 'Buy milk'"],
      ['info', "bob renamed 'Old' to 'New'"],
      ['info', "carol added 'Fresh'"],
      ['info', "carol deleted 'Fresh'"],
    ]);
    expect(texts(state)).toEqual(['Buy milk', 'New']);
  });

  it('keeps my pending change on top of someone else\'s newer version', () => {
    let state = run(loaded('brave', [todo('a', 'A', false, 1)]), issueUpdate('k', 'a', { completed: true }, 'A'));
    state = run(state, changed('x', 'a', 'bob', todo('a', 'A by bob', false, 2, 'bob')));
    expect(row(state, 'a')!.todo).toMatchObject({ text: 'A by bob', completed: true });
  });

  it('never goes back to an older version of a todo', () => {
    const state = run(
      loaded('safe', [todo('a', 'A', false, 1)]),
      changed('x2', 'a', 'bob', todo('a', 'v3', false, 3, 'bob')),
      changed('x1', 'a', 'bob', todo('a', 'v2', false, 2, 'bob')),
    );
    expect(texts(state)).toEqual(['v3']);
  });

  it('ignores messages it has no business with', () => {
    const state = loaded('safe', [todo('a', 'A')]);
    expect(todosReducer(state, msg({ type: 'stats', todos: 1, queued: 0, connections: 1, users: 1 }))).toBe(state);
    expect(todosReducer(state, msg({ type: 'pong' }))).toBe(state);
  });

  it('stays bounded however many commands settle', () => {
    let state = loaded('optimistic', [todo('a', 'A')]);
    for (let i = 0; i < 600; i++) {
      state = run(
        state,
        issueUpdate(`k${i}`, 'a', { completed: i % 2 === 0 }, 'A'),
        accepted(`k${i}`, `c${i}`),
        succeeded(`c${i}`, 'a', todo('a', 'A', i % 2 === 0, i + 2)),
        { type: 'notices/shown', ids: [`outcome:c${i}`] },
      );
    }
    expect(Object.keys(state.commands).length).toBeLessThanOrEqual(201);
    expect(row(state, 'a')).toMatchObject({ status: 'confirmed', todo: { version: 601 } });
  });
});

describe("others' pending changes", () => {
  const pending = (commandId: string, entityId: string, by: string): TodosAction =>
    msg({ type: 'todo.pending', commandId, entityId, by });
  const othersOn = (state: TodosState, id: string) => row(state, id)?.othersPending.map((p) => `${p.by}:${p.commandId}`);

  it('shows another user’s accepted change on the row until it is applied', () => {
    let state = run(loaded('safe', [todo('a', 'A'), todo('b', 'B')]), pending('c1', 'a', 'bob'), pending('c2', 'a', 'carol'));
    expect(othersOn(state, 'a')).toEqual(['bob:c1', 'carol:c2']);
    expect(othersOn(state, 'b')).toEqual([]);
    state = run(state, changed('c1', 'a', 'bob', todo('a', 'A!', false, 2, 'bob'), 'update'));
    expect(othersOn(state, 'a')).toEqual(['carol:c2']);
    expect(row(state, 'a')?.todo.text).toBe('A!');
  });

  it('clears the earlier marks of the same todo too: their changes may have been merged into this one', () => {
    let state = run(
      loaded('safe', [todo('a', 'A'), todo('b', 'B')]),
      pending('c1', 'a', 'bob'),
      pending('c2', 'b', 'bob'),
      pending('c3', 'a', 'carol'),
      pending('c4', 'a', 'bob'),
    );
    // c1's change never came (a slow socket got only the latest todo.changed of todo a)
    state = run(state, changed('c3', 'a', 'carol', todo('a', 'A!', false, 3, 'carol'), 'update'));
    expect(othersOn(state, 'a')).toEqual(['bob:c4']);
    expect(othersOn(state, 'b')).toEqual(['bob:c2']);
  });

  it('clears the mark when that command fails, matched by commandId', () => {
    let state = run(loaded('safe', [todo('a', 'A')]), pending('c1', 'a', 'bob'));
    state = run(state, msg({ type: 'todo.failed', commandId: 'other', entityId: 'a', by: 'bob', code: 'x' }));
    expect(othersOn(state, 'a')).toEqual(['bob:c1']);
    state = run(state, msg({ type: 'todo.failed', commandId: 'c1', entityId: 'a', by: 'bob', code: 'processing-failed' }));
    expect(othersOn(state, 'a')).toEqual([]);
  });

  it('never marks this user’s own commands, from any window', () => {
    const state = run(loaded('safe', [todo('a', 'A')]), pending('c1', 'a', ME));
    expect(othersOn(state, 'a')).toEqual([]);
  });

  it('forgets every mark on (re)subscribing: what happened meanwhile is in the refetched list', () => {
    const state = run(loaded('safe', [todo('a', 'A')]), pending('c1', 'a', 'bob'), { type: 'others/reset' });
    expect(othersOn(state, 'a')).toEqual([]);
  });
});

describe('expected versions', () => {
  it('sends the version the list shows, counting this window’s own changes still on their way', () => {
    let state = loaded('optimistic', [todo('a', 'A', false, 3)]);
    expect(row(state, 'a')?.expectedVersion).toBe(3);
    state = run(state, { ...issueUpdate('k1', 'a', { completed: true }, 'A'), expectedVersion: 3 } as TodosAction, accepted('k1', 'c1'));
    expect(row(state, 'a')?.expectedVersion).toBe(4);
    // Its todo.changed may come before its outcome: still 4, not 5.
    state = run(state, changed('c1', 'a', ME, todo('a', 'A', true, 4)));
    expect(row(state, 'a')?.expectedVersion).toBe(4);
    state = run(state, succeeded('c1', 'a', todo('a', 'A', true, 4)));
    expect(row(state, 'a')?.expectedVersion).toBe(4);
    // Someone else's change moves it on.
    state = run(state, changed('c9', 'a', 'bob', todo('a', 'A2', true, 5, 'bob')));
    expect(row(state, 'a')?.expectedVersion).toBe(5);
  });

  it('expects version 1 for a todo whose create is still on its way', () => {
    const state = run(loaded('brave'), issueCreate('k1', 'n1', 'New'));
    expect(row(state, 'n1')?.expectedVersion).toBe(1);
  });
});

describe('conflicts', () => {
  const issueStale = (key: string, patch: { text?: string; completed?: boolean }, expectedVersion: number): TodosAction => ({
    ...issueUpdate(key, 'a', patch, 'Buy milk'),
    expectedVersion,
  } as TodosAction);
  const conflict = (commandId: string, current: Todo): TodosAction =>
    msg({
      type: 'command.failed',
      commandId,
      entityId: 'a',
      status: 'failure',
      data: current,
      error: { code: 'conflict', message: 'expected version 1, found 2' },
    });
  const bobs = todo('a', 'Buy oat milk', false, 2, 'bob');

  for (const mode of ['safe', 'optimistic', 'brave'] as const) {
    it(`keeps both sides and shows the server's value until the user decides (${mode})`, () => {
      const state = run(
        loaded(mode, [todo('a', 'Buy milk')]),
        issueStale('k1', { text: 'Buy whole milk' }, 1),
        accepted('k1', 'c1'),
        conflict('c1', bobs),
      );
      const r = row(state, 'a')!;
      expect(r.status).toBe('failed');
      expect(r.todo.text).toBe('Buy oat milk');
      expect(r.conflict?.theirs).toEqual(bobs);
      expect(r.conflict?.entry.patch).toEqual({ text: 'Buy whole milk' });
      expect(state.commands.k1!.resolution).toBeNull();
      expect(notices(state)).toEqual([
        ['error', "Conflict on 'Buy oat milk': bob changed it first. Keep yours or take theirs on the item."],
      ]);
    });
  }

  it('takes theirs: the panel goes, the list keeps the server’s value', () => {
    const state = run(
      loaded('optimistic', [todo('a', 'Buy milk')]),
      issueStale('k1', { text: 'Buy whole milk' }, 1),
      accepted('k1', 'c1'),
      conflict('c1', bobs),
      { type: 'conflict/resolved', key: 'k1', choice: 'theirs' },
    );
    expect(row(state, 'a')).toMatchObject({ conflict: null, todo: { text: 'Buy oat milk' } });
    expect(state.commands.k1!.resolution).toBe('theirs');
  });

  it('keeps mine: a new command on the current version becomes the row’s latest', () => {
    let state = run(
      loaded('optimistic', [todo('a', 'Buy milk')]),
      issueStale('k1', { text: 'Buy whole milk' }, 1),
      accepted('k1', 'c1'),
      conflict('c1', bobs),
      { type: 'conflict/resolved', key: 'k1', choice: 'mine' },
    );
    expect(row(state, 'a')?.conflict).toBeNull();
    expect(row(state, 'a')?.expectedVersion).toBe(2);
    state = run(state, issueStale('k2', { text: 'Buy whole milk' }, 2), accepted('k2', 'c2'));
    expect(row(state, 'a')).toMatchObject({ status: 'accepted', todo: { text: 'Buy whole milk' } });
    state = run(state, succeeded('c2', 'a', todo('a', 'Buy whole milk', false, 3)));
    expect(row(state, 'a')).toMatchObject({ status: 'confirmed', conflict: null, todo: { text: 'Buy whole milk', version: 3 } });
  });

  it('a decision only counts once, and only for an undecided conflict', () => {
    const base = run(loaded('safe', [todo('a', 'Buy milk')]), issueStale('k1', { completed: true }, 1), accepted('k1', 'c1'));
    expect(run(base, { type: 'conflict/resolved', key: 'k1', choice: 'theirs' })).toBe(base);
    const decided = run(base, conflict('c1', bobs), { type: 'conflict/resolved', key: 'k1', choice: 'theirs' });
    expect(run(decided, { type: 'conflict/resolved', key: 'k1', choice: 'mine' }).commands.k1!.resolution).toBe('theirs');
  });

  it('another failure is no conflict', () => {
    const state = run(loaded('safe', [todo('a', 'Buy milk')]), issueStale('k1', { completed: true }, 1), accepted('k1', 'c1'), failed('c1', 'a'));
    expect(row(state, 'a')?.conflict).toBeNull();
  });
});

describe('changes under the todo you are on', () => {
  const change = (watching: { entityId: string | null; field: 'text' | 'completed' | null } | null): TodosAction => ({
    type: 'message',
    at: T0,
    message: { type: 'todo.changed', commandId: 'c9', entityId: 'a', changedBy: 'bob', action: 'update', data: todo('a', 'Buy oat milk', false, 2, 'bob') },
    watching,
  });

  it('says so in a neutral toast when you were looking at it or editing it', () => {
    const base = loaded('safe', [todo('a', 'Buy milk'), todo('b', 'B')]);
    expect(notices(run(base, change({ entityId: 'a', field: null })))).toEqual([
      ['info', "While you were looking at it, bob renamed 'Buy milk' to 'Buy oat milk'"],
    ]);
    expect(notices(run(base, change({ entityId: 'a', field: 'text' })))).toEqual([
      ['info', "While you were editing it, bob renamed 'Buy milk' to 'Buy oat milk'"],
    ]);
    expect(notices(run(base, change({ entityId: 'b', field: null })))).toEqual([['info', "bob renamed 'Buy milk' to 'Buy oat milk'"]]);
    expect(notices(run(base, change(null)))).toEqual([['info', "bob renamed 'Buy milk' to 'Buy oat milk'"]]);
  });
});
