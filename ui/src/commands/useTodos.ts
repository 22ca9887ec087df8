/**
 * The todo list of one signed-in window: reducer state, the command runner, the list requests,
 * the pending watchdog and the toasts, wired together. Components get the derived view and the
 * actions; the connection feeds it messages and tells it where the window's focus is.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Api } from '../api/endpoints';
import { describeFailure, toRequestError } from '../api/retryPolicy';
import type { Focus } from '../collab/presenceSender';
import type { Mode } from '../modes/modes';
import type { ServerMessage } from '../socket/protocol';
import { createNoticeFeed } from '../toasts/noticeFeed';
import { showNotice } from '../toasts/notify';
import { uuid } from '../shared/uuid';
import {
  canRetryInPlace,
  initialTodosState,
  needsDecision,
  nextExpectedVersion,
  repeatsOpenCommand,
  todosReducer,
  type CommandEntry,
  type TodosState,
} from './commandReducer';
import { createCommandRunner, type CommandRequest, type CommandRunner } from './commandRunner';
import type { Notice } from './notices';
import { requestOf, restoreOutbox, snapshotOf, unacknowledged, type OutboxStore } from './outbox';
import type { Cursor } from '../socket/delivery';
import { DEFAULT_PENDING_CHECK_MS, createPendingWatchdog, type PendingWatchdog } from './pendingWatchdog';
import { selectView, type RowView, type TodosView } from './selectView';

/** How long a delete waits for Undo before it is sent. */
export const UNDO_DELETE_MS = 5000;

export interface TodosApi {
  state: TodosState;
  view: TodosView;
  /** Returns the new todo's id. */
  add(text: string): string;
  toggle(row: RowView): void;
  /** `seenVersion`: the version shown when the edit began (a change meanwhile makes it conflict). */
  rename(row: RowView, text: string, seenVersion?: number): void;
  /** Holds a delete for {@link UNDO_DELETE_MS}, then sends it; a second press meanwhile does nothing. */
  remove(row: RowView): void;
  /** Takes back a held delete before it is sent. */
  undoRemove(entityId: string): void;
  /** A failed command again: with its own key when it never got a 202, else as a new command. */
  retry(entry: CommandEntry): void;
  /** Lets a failed command go (its text can be copied first). */
  discard(entry: CommandEntry): void;
  /** Settles a conflict: send the change again on the current version, or take the other one. */
  resolveConflict(row: RowView, choice: 'mine' | 'theirs'): void;
  refresh(): void;
  onServerMessage(message: ServerMessage): void;
  /** Subscribed to `todos` (again): refetch, and forget others' pending marks from before. */
  onSubscribed(): void;
  /** Resync: refetch the list and check every pending command now; returns how many. */
  resync(seq: number): number;
  /** Where this window's focus is, for the wording of others' changes. */
  setWatching(focus: Focus | null): void;
  /** The delivery cursor moved (after the messages handed to `onServerMessage`). */
  onCursor(cursor: Cursor | null): void;
}

export interface UseTodosOptions {
  notify?: (notice: Notice) => void;
  /** How long an accepted command may go without outcome before its status is checked. */
  pendingCheckMs?: () => number;
  log?: (summary: string, level: 'info' | 'ok' | 'warn' | 'error') => void;
  /** Keeps open commands and the cursor across reloads of this tab. */
  outbox?: OutboxStore;
}

export function useTodos(api: Api, userId: string, mode: Mode, options: UseTodosOptions = {}): TodosApi {
  const [state, dispatch] = useReducer(todosReducer, undefined, () =>
    restoreOutbox(initialTodosState(userId, mode), options.outbox?.load() ?? { cursor: null, commands: [] }),
  );
  const outbox = options.outbox;
  const { commands, cursor } = state;
  useEffect(() => {
    outbox?.save(snapshotOf({ commands, cursor }));
  }, [outbox, commands, cursor]);
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  });
  const notify = options.notify ?? showNotice;
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  useEffect(() => {
    dispatch({ type: 'mode/changed', mode });
  }, [mode]);

  // Made in an effect (not a memo) so that an unmount, also StrictMode's rehearsal, stops it for good.
  const runnerRef = useRef<CommandRunner | null>(null);
  useEffect(() => {
    const runner = createCommandRunner({ api, dispatch });
    runnerRef.current = runner;
    // Restored after a reload, never answered: the same requests again, with their own keys.
    for (const { key, request } of unacknowledged(stateRef.current)) runner.resend(key, request);
    return () => {
      runner.dispose();
      if (runnerRef.current === runner) runnerRef.current = null;
    };
  }, [api]);
  const issue = useCallback((request: CommandRequest) => {
    runnerRef.current?.issue(request);
  }, []);
  /** Toggles and deletes issued since the last render: a second press in the same instant is ignored too. */
  const justIssued = useRef(new Set<string>());
  useEffect(() => {
    justIssued.current.clear();
  }, [state.commands, state.held]);
  const isRepeat = useCallback((entityId: string, kind: 'toggle' | 'delete') => {
    const id = `${kind}:${entityId}`;
    if (justIssued.current.has(id) || repeatsOpenCommand(stateRef.current, entityId, kind)) return true;
    justIssued.current.add(id);
    return false;
  }, []);

  // Accepted commands without outcome are checked at their status URL after a while.
  const watchdogRef = useRef<PendingWatchdog | null>(null);
  useEffect(() => {
    const watchdog = createPendingWatchdog({
      api,
      dispatch,
      checkAfterMs: () => optionsRef.current.pendingCheckMs?.() ?? DEFAULT_PENDING_CHECK_MS,
      log: (summary, level) => optionsRef.current.log?.(summary, level),
    });
    watchdogRef.current = watchdog;
    watchdog.sync(Object.values(stateRef.current.commands));
    return () => {
      watchdog.dispose();
      if (watchdogRef.current === watchdog) watchdogRef.current = null;
    };
  }, [api]);
  useEffect(() => {
    watchdogRef.current?.sync(Object.values(state.commands));
  }, [state.commands]);

  // Only the answer to the newest list request counts.
  const listRequest = useRef<{ seq: number; controller: AbortController | null }>({ seq: 0, controller: null });
  const refresh = useCallback(() => {
    const current = listRequest.current;
    current.controller?.abort();
    const controller = new AbortController();
    const seq = current.seq + 1;
    listRequest.current = { seq, controller };
    dispatch({ type: 'list/requested' });
    api.listTodos(controller.signal).then(
      (todos) => {
        if (listRequest.current.seq === seq) dispatch({ type: 'list/loaded', todos });
      },
      (error: unknown) => {
        const failure = toRequestError(error);
        if (listRequest.current.seq === seq && failure.kind !== 'aborted') {
          dispatch({ type: 'list/failed', message: describeFailure(failure) });
        }
      },
    );
  }, [api]);

  useEffect(() => {
    refresh();
    return () => listRequest.current.controller?.abort();
  }, [refresh]);

  // Toasts: shown once, then dropped from the state; others' changes grouped per user.
  const [feed] = useState(createNoticeFeed);
  useEffect(() => () => feed.dispose(), [feed]);
  useEffect(() => {
    if (state.notices.length === 0) return;
    for (const notice of state.notices) feed.push(notice, notify);
    dispatch({ type: 'notices/shown', ids: state.notices.map((n) => n.id) });
  }, [state.notices, notify, feed]);

  const view = useMemo(() => selectView(state), [state]);

  // Every change carries the version the user saw: a stale one fails with a conflict, never
  // overwriting someone else's change in silence.
  const add = useCallback(
    (text: string) => {
      const entityId = uuid();
      issue({ kind: 'create', entityId, text });
      return entityId;
    },
    [issue],
  );
  const toggle = useCallback(
    (row: RowView) => {
      if (isRepeat(row.id, 'toggle')) return;
      issue({
        kind: 'update',
        entityId: row.id,
        patch: { completed: !row.todo.completed },
        label: row.todo.text,
        expectedVersion: row.expectedVersion,
      });
    },
    [issue, isRepeat],
  );
  const rename = useCallback(
    (row: RowView, text: string, seenVersion?: number) =>
      issue({
        kind: 'update',
        entityId: row.id,
        patch: { text },
        label: row.todo.text,
        expectedVersion: seenVersion ?? row.expectedVersion,
      }),
    [issue],
  );
  // Deletes wait for Undo; what is still held at unmount is simply not sent (the todo stays).
  const heldTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const timers = heldTimers.current;
    return () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    };
  }, []);
  const remove = useCallback(
    (row: RowView) => {
      if (isRepeat(row.id, 'delete')) return;
      const request: CommandRequest = { kind: 'delete', entityId: row.id, label: row.todo.text, expectedVersion: row.expectedVersion };
      dispatch({ type: 'delete/held', entityId: row.id, until: Date.now() + UNDO_DELETE_MS });
      heldTimers.current.set(
        row.id,
        setTimeout(() => {
          heldTimers.current.delete(row.id);
          dispatch({ type: 'delete/released', entityId: row.id });
          issue(request);
        }, UNDO_DELETE_MS),
      );
    },
    [issue, isRepeat],
  );
  const undoRemove = useCallback((entityId: string) => {
    clearTimeout(heldTimers.current.get(entityId));
    heldTimers.current.delete(entityId);
    dispatch({ type: 'delete/released', entityId });
  }, []);
  const retry = useCallback(
    (entry: CommandEntry) => {
      const current = stateRef.current.commands[entry.key] ?? entry;
      if (!needsDecision(current)) return;
      if (canRetryInPlace(current)) {
        // The very same request: the server may hold it under this key already.
        runnerRef.current?.retry(current.key, requestOf(current, current.expectedVersion ?? undefined));
        return;
      }
      dispatch({ type: 'command/dismissed', key: current.key });
      if (current.kind === 'create') {
        // The server has seen that id (and may be putting its processor away): a new todo, same text.
        issue({ kind: 'create', entityId: uuid(), text: current.patch.text ?? current.label });
        return;
      }
      issue(requestOf(current, nextExpectedVersion(stateRef.current, current.entityId)));
    },
    [issue],
  );
  const discard = useCallback((entry: CommandEntry) => dispatch({ type: 'command/dismissed', key: entry.key }), []);
  const resolveConflict = useCallback(
    (row: RowView, choice: 'mine' | 'theirs') => {
      const conflict = row.conflict;
      if (!conflict) return;
      const entry = conflict.entry;
      dispatch({ type: 'conflict/resolved', key: entry.key, choice });
      if (choice === 'theirs') return;
      const expectedVersion = nextExpectedVersion(stateRef.current, row.id);
      const label = conflict.theirs.text;
      if (entry.kind === 'delete') issue({ kind: 'delete', entityId: row.id, label, expectedVersion });
      else issue({ kind: 'update', entityId: row.id, patch: entry.patch, label, expectedVersion });
    },
    [issue],
  );

  const watchingRef = useRef<Focus | null>(null);
  const setWatching = useCallback((focus: Focus | null) => {
    watchingRef.current = focus && focus.entityId !== null ? focus : null;
  }, []);
  const onServerMessage = useCallback(
    (message: ServerMessage) => dispatch({ type: 'message', message, at: Date.now(), watching: watchingRef.current }),
    [],
  );
  const onCursor = useCallback((cursor: Cursor | null) => dispatch({ type: 'cursor', cursor }), []);
  const onSubscribed = useCallback(() => {
    dispatch({ type: 'others/reset' });
    refresh();
  }, [refresh]);
  const resync = useCallback(
    (seq: number) => {
      refresh();
      return watchdogRef.current?.resync(seq) ?? 0;
    },
    [refresh],
  );

  return {
    state,
    view,
    add,
    toggle,
    rename,
    remove,
    undoRemove,
    retry,
    discard,
    resolveConflict,
    refresh,
    onServerMessage,
    onSubscribed,
    resync,
    setWatching,
    onCursor,
  };
}
