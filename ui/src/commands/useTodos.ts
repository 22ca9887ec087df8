/**
 * The todo list of one signed-in window: reducer state, the command runner, the list requests and
 * the toasts, wired together. Components get the derived view and four actions.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { Api } from '../api/endpoints';
import { describeFailure, toRequestError } from '../api/retryPolicy';
import type { Mode } from '../modes/modes';
import type { ServerMessage } from '../socket/protocol';
import { showNotice } from '../toasts/notify';
import { uuid } from '../shared/uuid';
import { initialTodosState, todosReducer, type TodosState } from './commandReducer';
import { createCommandRunner, type CommandRequest, type CommandRunner } from './commandRunner';
import type { Notice } from './notices';
import { selectView, type RowView, type TodosView } from './selectView';

/** How long a failed create stays visible (struck through) after its rollback. */
export const FAILED_CREATE_VISIBLE_MS = 6000;

export interface TodosApi {
  state: TodosState;
  view: TodosView;
  add(text: string): void;
  toggle(row: RowView): void;
  rename(row: RowView, text: string): void;
  remove(row: RowView): void;
  refresh(): void;
  onServerMessage(message: ServerMessage): void;
}

export function useTodos(
  api: Api,
  userId: string,
  mode: Mode,
  notify: (notice: Notice) => void = showNotice,
): TodosApi {
  const [state, dispatch] = useReducer(todosReducer, undefined, () => initialTodosState(userId, mode));

  useEffect(() => {
    dispatch({ type: 'mode/changed', mode });
  }, [mode]);

  // Made in an effect (not a memo) so that an unmount, also StrictMode's rehearsal, stops it for good.
  const runnerRef = useRef<CommandRunner | null>(null);
  useEffect(() => {
    const runner = createCommandRunner({ api, dispatch });
    runnerRef.current = runner;
    return () => {
      runner.dispose();
      if (runnerRef.current === runner) runnerRef.current = null;
    };
  }, [api]);
  const issue = useCallback((request: CommandRequest) => {
    runnerRef.current?.issue(request);
  }, []);

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

  // Toasts: shown once, then dropped from the state.
  useEffect(() => {
    if (state.notices.length === 0) return;
    for (const notice of state.notices) notify(notice);
    dispatch({ type: 'notices/shown', ids: state.notices.map((n) => n.id) });
  }, [state.notices, notify]);

  // Failed creates fade out after a while.
  const fading = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const timers = fading.current;
    for (const entry of Object.values(state.commands)) {
      if (entry.kind !== 'create' || entry.phase !== 'failed' || entry.dismissed || timers.has(entry.key)) continue;
      const left = Math.max(0, (entry.settledAt ?? Date.now()) + FAILED_CREATE_VISIBLE_MS - Date.now());
      timers.set(
        entry.key,
        setTimeout(() => {
          timers.delete(entry.key);
          dispatch({ type: 'command/dismissed', key: entry.key });
        }, left),
      );
    }
  }, [state.commands]);
  useEffect(() => {
    const timers = fading.current;
    return () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    };
  }, []);

  const view = useMemo(() => selectView(state), [state]);

  const add = useCallback((text: string) => issue({ kind: 'create', entityId: uuid(), text }), [issue]);
  const toggle = useCallback(
    (row: RowView) =>
      issue({ kind: 'update', entityId: row.id, patch: { completed: !row.todo.completed }, label: row.todo.text }),
    [issue],
  );
  const rename = useCallback(
    (row: RowView, text: string) => issue({ kind: 'update', entityId: row.id, patch: { text }, label: row.todo.text }),
    [issue],
  );
  const remove = useCallback(
    (row: RowView) => issue({ kind: 'delete', entityId: row.id, label: row.todo.text }),
    [issue],
  );
  const onServerMessage = useCallback(
    (message: ServerMessage) => dispatch({ type: 'message', message, at: Date.now() }),
    [],
  );

  return { state, view, add, toggle, rename, remove, refresh, onServerMessage };
}
