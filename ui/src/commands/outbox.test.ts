import { describe, expect, it } from 'vitest';
import { initialTodosState, todosReducer, type TodosAction, type TodosState } from './commandReducer';
import { createOutboxStore, readSnapshot, restoreOutbox, snapshotOf, unacknowledged } from './outbox';

const run = (state: TodosState, ...actions: TodosAction[]) => actions.reduce(todosReducer, state);

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

const issued = (key: string, entityId: string, text: string): TodosAction => ({
  type: 'command/issued',
  key,
  kind: 'create',
  entityId,
  patch: { text },
  label: text,
  at: 1000,
});

/** A window with one accepted and one unanswered create, after seq 4 of epoch e1. */
function before(): TodosState {
  return run(
    initialTodosState('alice', 'optimistic'),
    { type: 'list/requested' },
    { type: 'list/loaded', todos: [] },
    { type: 'cursor', cursor: { epoch: 'e1', seq: 4 } },
    issued('k1', 't1', 'Buy milk'),
    { type: 'command/accepted', key: 'k1', commandId: 'c1', at: 1100 },
    issued('k2', 't2', 'Call mum'),
    { type: 'command/retrying', key: 'k2', nextAttempt: 2, nextAttemptAt: 2000, reason: 'HTTP 500' },
    { type: 'notices/shown', ids: [] },
  );
}

const outcome = (commandId: string, entityId: string, text: string, seq: number): TodosAction => ({
  type: 'message',
  at: 5000,
  message: {
    type: 'command.succeeded',
    commandId,
    entityId,
    status: 'success',
    data: { id: entityId, text, completed: false, version: 1, updatedBy: 'alice', updatedAt: '' },
    seq,
    epoch: 'e1',
    timestamp: '',
  },
});

describe('the reload-safe outbox', () => {
  it('stores the open commands and the cursor per user, and reads them back', () => {
    const storage = memoryStorage();
    const store = createOutboxStore(storage, 'alice');
    store.save(snapshotOf(before()));
    expect([...storage.items.keys()]).toEqual(['edf.outbox.alice']);
    const loaded = createOutboxStore(storage, 'alice').load();
    expect(loaded.cursor).toEqual({ epoch: 'e1', seq: 4 });
    expect(loaded.commands.map((c) => [c.key, c.phase, c.commandId])).toEqual([
      ['k1', 'accepted', 'c1'],
      ['k2', 'retrying', null],
    ]);
    expect(createOutboxStore(storage, 'bob').load()).toEqual({ cursor: null, commands: [] });
    store.clear();
    expect(storage.items.size).toBe(0);
  });

  it('after a reload shows both, sends again only the unanswered one, with its key', () => {
    const restored = restoreOutbox(initialTodosState('alice', 'optimistic'), snapshotOf(before()));
    expect(restored.cursor).toEqual({ epoch: 'e1', seq: 4 });
    expect(Object.values(restored.commands).map((e) => [e.key, e.phase])).toEqual([
      ['k1', 'accepted'],
      ['k2', 'sending'],
    ]);
    expect(unacknowledged(restored)).toEqual([{ key: 'k2', request: { kind: 'create', entityId: 't2', text: 'Call mum' } }]);
  });

  it('applies each outcome exactly once: replayed after the reload, duplicates and stale ones dropped', () => {
    let state = restoreOutbox(initialTodosState('alice', 'optimistic'), snapshotOf(before()));
    state = run(state, outcome('c1', 't1', 'Buy milk', 5), { type: 'command/accepted', key: 'k2', commandId: 'c2', at: 6000 });
    state = run(state, outcome('c2', 't2', 'Call mum', 6), outcome('c1', 't1', 'Buy milk', 5), outcome('c2', 't2', 'Call mum', 6));
    expect(state.commands.k1!.phase).toBe('confirmed');
    expect(state.commands.k2!.phase).toBe('confirmed');
    expect(state.notices.map((n) => n.text)).toEqual(["Confirmed: added 'Buy milk'", "Confirmed: added 'Call mum'"]);
    // nothing open: a further reload has nothing to show or send
    expect(snapshotOf({ ...state, cursor: { epoch: 'e1', seq: 6 } }).commands).toEqual([]);
  });

  it('keeps a failed command that waits for the user’s decision, and forgets it once discarded', () => {
    let state = run(before(), { type: 'command/rejected', key: 'k2', error: { code: 'http-400', message: 'bad' }, at: 3000 });
    const restored = restoreOutbox(initialTodosState('alice', 'optimistic'), snapshotOf(state));
    expect(restored.commands.k2).toMatchObject({ phase: 'failed', error: { code: 'http-400' } });
    state = run(state, { type: 'command/dismissed', key: 'k2' });
    expect(snapshotOf(state).commands.map((c) => c.key)).toEqual(['k1']);
  });

  it('reads nothing it cannot trust', () => {
    expect(readSnapshot({ format: 99, commands: [] })).toEqual({ cursor: null, commands: [] });
    expect(readSnapshot('junk')).toEqual({ cursor: null, commands: [] });
    const partly = readSnapshot({
      format: 1,
      cursor: { epoch: 'e1', seq: 'x' },
      commands: [{ key: 'k', kind: 'explode', entityId: 't', label: 'x', patch: {}, phase: 'sending' }, null],
    });
    expect(partly).toEqual({ cursor: null, commands: [] });
    const storage = memoryStorage();
    storage.setItem('edf.outbox.alice', '{not json');
    expect(createOutboxStore(storage, 'alice').load()).toEqual({ cursor: null, commands: [] });
  });
});
