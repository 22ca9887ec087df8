import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestError } from '../api/retryPolicy';
import type { CommandStatus, Todo } from '../api/types';
import { initialTodosState, todosReducer, type CommandEntry, type TodosAction, type TodosState } from './commandReducer';
import { createPendingWatchdog } from './pendingWatchdog';
import { selectView } from './selectView';

const T0 = Date.parse('2026-11-26T14:00:00.000Z');
const todo = (version: number, text = 'Buy milk', completed = false): Todo => ({
  id: 't1',
  text,
  completed,
  version,
  updatedBy: 'alice',
  updatedAt: '2026-11-26T14:00:00.000Z',
});
const status = (s: CommandStatus['status'], error?: CommandStatus['error']): CommandStatus => ({
  commandId: 'c1',
  entityId: 't1',
  type: 'update',
  status: s,
  ...(error ? { error } : {}),
  acceptedAt: '',
});

/** The window's state with one accepted update on t1 (commandId c1), accepted at T0. */
function withAcceptedUpdate(userSeq?: number): TodosState {
  const actions: TodosAction[] = [
    { type: 'list/requested' },
    { type: 'list/loaded', todos: [todo(1)] },
    { type: 'command/issued', key: 'k1', kind: 'update', entityId: 't1', patch: { completed: true }, label: 'Buy milk', at: T0, expectedVersion: 1 },
    { type: 'command/accepted', key: 'k1', commandId: 'c1', at: T0, ...(userSeq !== undefined ? { userSeq } : {}) },
  ];
  return actions.reduce(todosReducer, initialTodosState('alice', 'safe'));
}

function setup(state: TodosState = withAcceptedUpdate()) {
  let current = state;
  const api = {
    commandStatus: vi.fn<(id: string) => Promise<CommandStatus>>(),
    getTodo: vi.fn<(id: string) => Promise<Todo | null>>(),
  };
  const logged: string[] = [];
  const dispatched: TodosAction[] = [];
  const watchdog = createPendingWatchdog({
    api,
    dispatch: (action) => {
      dispatched.push(action);
      current = todosReducer(current, action);
      watchdog.sync(Object.values(current.commands));
    },
    checkAfterMs: () => 10_000,
    log: (summary) => logged.push(summary),
  });
  watchdog.sync(Object.values(current.commands));
  const row = () => selectView(current).rows.find((r) => r.id === 't1');
  return { api, watchdog, dispatched, logged, row, state: () => current };
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('pending watchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks an accepted command with no outcome after the configured time, not before', async () => {
    const { api } = setup();
    api.commandStatus.mockResolvedValue(status('accepted'));
    await advance(9_999);
    expect(api.commandStatus).not.toHaveBeenCalled();
    await advance(1);
    expect(api.commandStatus).toHaveBeenCalledWith('c1', expect.any(AbortSignal));
  });

  it('applies a success found at the status URL as if the push had come', async () => {
    const { api, dispatched, row } = setup();
    api.commandStatus.mockResolvedValue(status('succeeded'));
    api.getTodo.mockResolvedValue(todo(2, 'Buy milk', true));
    expect(row()).toMatchObject({ status: 'accepted', pending: true });
    await advance(10_000);
    expect(dispatched).toEqual([
      {
        type: 'message',
        at: T0 + 10_000,
        message: { type: 'command.succeeded', commandId: 'c1', entityId: 't1', status: 'success', data: todo(2, 'Buy milk', true) },
      },
    ]);
    expect(row()).toMatchObject({ status: 'confirmed', pending: false, todo: { completed: true, version: 2 } });
  });

  it('applies a failure found at the status URL, with the current todo on a conflict', async () => {
    const { api, row } = setup();
    api.commandStatus.mockResolvedValue(status('failed', { code: 'conflict', message: 'stale version' }));
    api.getTodo.mockResolvedValue(todo(3, 'Buy oat milk'));
    await advance(10_000);
    expect(row()).toMatchObject({ status: 'failed', pending: false, todo: { text: 'Buy oat milk' } });
    expect(row()?.conflict?.theirs.version).toBe(3);
  });

  it('marks a command the server no longer knows (404) as failed with a reason', async () => {
    const { api, row } = setup();
    api.commandStatus.mockRejectedValue(new RequestError('http', 'Not Found', 404));
    await advance(10_000);
    expect(row()).toMatchObject({ status: 'failed', pending: false });
    expect(row()?.latest?.error).toEqual({ code: 'unknown', message: 'unknown: the server no longer knows this command' });
    expect(api.getTodo).not.toHaveBeenCalled();
  });

  it('checks again later while the command is still accepted, or when the status cannot be had', async () => {
    const { api, row, logged } = setup();
    api.commandStatus
      .mockResolvedValueOnce(status('accepted'))
      .mockRejectedValueOnce(new RequestError('network', 'offline'))
      .mockResolvedValueOnce(status('succeeded'));
    api.getTodo.mockResolvedValue(todo(2, 'Buy milk', true));
    await advance(10_000);
    expect(api.commandStatus).toHaveBeenCalledTimes(1);
    expect(row()?.status).toBe('accepted');
    await advance(9_999);
    expect(api.commandStatus).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(api.commandStatus).toHaveBeenCalledTimes(2);
    await advance(10_000);
    expect(api.commandStatus).toHaveBeenCalledTimes(3);
    expect(row()?.status).toBe('confirmed');
    expect(logged.some((l) => l.includes('still accepted'))).toBe(true);
  });

  it('does nothing once the push has come', async () => {
    const { api, watchdog, state } = setup();
    const settled = todosReducer(state(), {
      type: 'message',
      at: T0 + 1000,
      message: { type: 'command.succeeded', commandId: 'c1', entityId: 't1', status: 'success', data: todo(2, 'Buy milk', true) },
    });
    watchdog.sync(Object.values(settled.commands));
    await advance(60_000);
    expect(api.commandStatus).not.toHaveBeenCalled();
  });

  it('checks every pending command at once on resync', async () => {
    const { api, watchdog } = setup();
    api.commandStatus.mockResolvedValue(status('accepted'));
    expect(watchdog.resync(40)).toBe(1);
    await advance(0);
    expect(api.commandStatus).toHaveBeenCalledTimes(1);
  });

  it.each([
    [35, 1],
    [40, 0],
  ])('after a resync at seq 40, checks a command accepted at userSeq %i at once (%i checks)', async (userSeq, checks) => {
    const issued = withAcceptedUpdate().commands.k1!;
    const notYetAccepted: CommandEntry = { ...issued, phase: 'sending', commandId: null, acceptedAt: null };
    const { api, watchdog } = setup({ ...withAcceptedUpdate(), commands: { k1: notYetAccepted } });
    api.commandStatus.mockResolvedValue(status('accepted'));
    watchdog.resync(40);
    // Its 202 arrives after the resync: below 40, its outcome may have been in the gap.
    watchdog.sync([{ ...issued, userSeq }]);
    await advance(0);
    expect(api.commandStatus).toHaveBeenCalledTimes(checks);
  });

  it('stops for good when disposed', async () => {
    const { api, watchdog } = setup();
    watchdog.dispose();
    await advance(60_000);
    expect(api.commandStatus).not.toHaveBeenCalled();
  });
});
