/**
 * The list: who's online, mode, the add field, the outbox, skeleton rows while loading, then the
 * todos with what others do on them. It also reports this window's focus (for presence).
 */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { RowView } from '../commands/selectView';
import { useFocusTracking } from '../collab/focus';
import { OnlineUsers } from '../collab/OnlineUsers';
import type { OnlineUser, TodoPresence } from '../collab/presence';
import { NO_FOCUS, sameFocus, type Focus } from '../collab/presenceSender';
import type { TodosApi } from '../commands/useTodos';
import { ModePicker } from '../modes/ModePicker';
import type { Mode } from '../modes/modes';
import { NewTodo } from './NewTodo';
import { Outbox } from './Outbox';
import { TodoItem } from './TodoItem';
import type { ActedOn } from './useActedOn';

interface Props {
  todos: TodosApi;
  mode: Mode;
  onModeChange: (mode: Mode) => void;
  me?: string;
  /** Other users per todo. */
  presence?: Map<string, TodoPresence>;
  online?: { users: OnlineUser[]; known: boolean; windowId?: string | null };
  /** This window's focus moved (a todo the server knows, or nothing). */
  onFocusChange?: (focus: Focus) => void;
  /** The row the user just acted on (see `useActedOn`), and how to tell that the user acted on one. */
  actedOn: ActedOn | null;
  onActed: (id: string) => void;
}

function SkeletonRows() {
  return (
    <ul className="todos todos--loading" aria-hidden="true" data-testid="todo-skeleton">
      {[68, 45, 80, 55].map((width) => (
        <li key={width} className="todo todo--skeleton">
          <span className="skeleton skeleton--box" />
          <span className="skeleton skeleton--line" style={{ width: `${width}%` }} />
        </li>
      ))}
    </ul>
  );
}

export function TodoPanel({ todos, mode, onModeChange, me = '', presence, online, onFocusChange, actedOn, onActed }: Props) {
  const { state, view } = todos;

  // Only todos the server knows can be named in presence; a focus on one that goes away ends.
  const knownIds = useMemo(
    () => new Set(view.rows.filter((r) => r.confirmed && !r.ghost).map((r) => r.id)),
    [view.rows],
  );
  const raw = useRef<Focus>(NO_FOCUS);
  const reported = useRef<Focus>(NO_FOCUS);
  const onFocusRef = useRef(onFocusChange);
  useEffect(() => {
    onFocusRef.current = onFocusChange;
  });
  const knownRef = useRef(knownIds);
  const report = useCallback(() => {
    const focus = raw.current.entityId !== null && knownRef.current.has(raw.current.entityId) ? raw.current : NO_FOCUS;
    if (sameFocus(focus, reported.current)) return;
    reported.current = focus;
    onFocusRef.current?.(focus);
  }, []);
  useEffect(() => {
    knownRef.current = knownIds;
    report();
  }, [knownIds, report]);
  const focusHandlers = useFocusTracking((focus) => {
    raw.current = focus;
    report();
  });

  // The row the user just acted on stays in view and lights up for a moment.
  const { add, toggle, rename, remove } = todos;
  const onAdd = useCallback((text: string) => onActed(add(text)), [add, onActed]);
  const onToggle = useCallback(
    (row: RowView) => {
      onActed(row.id);
      toggle(row);
    },
    [toggle, onActed],
  );
  const onRename = useCallback(
    (row: RowView, text: string, seenVersion?: number) => {
      onActed(row.id);
      rename(row, text, seenVersion);
    },
    [rename, onActed],
  );
  const onDelete = useCallback(
    (row: RowView) => {
      onActed(row.id);
      remove(row);
    },
    [remove, onActed],
  );

  const done = view.rows.filter((r) => r.todo.completed && !r.ghost).length;
  const total = view.rows.filter((r) => !r.ghost).length;
  return (
    <section className="panel panel--todos" aria-labelledby="todos-title">
      <header className="panel__header">
        <h2 id="todos-title" className="panel__title">
          Shared todo list
        </h2>
        <span className="panel__aside">
          {state.list === 'ready' ? `${done} of ${total} done` : ''}
          {view.openCommands > 0 ? ` · ${view.openCommands} in flight` : ''}
        </span>
      </header>
      {online && <OnlineUsers users={online.users} known={online.known} windowId={online.windowId ?? null} />}
      <ModePicker mode={mode} onChange={onModeChange} />
      <NewTodo onAdd={onAdd} />
      <Outbox entries={view.outbox} onRetry={todos.retry} onDiscard={todos.discard} />
      {state.list === 'loading' && (
        <>
          <p className="visually-hidden" role="status">
            Loading the todo list…
          </p>
          <SkeletonRows />
        </>
      )}
      {state.list === 'error' && (
        <div className="notice notice--error" role="alert">
          <p>Could not load the list: {state.listError}</p>
          <button type="button" className="button" onClick={todos.refresh}>
            Try again
          </button>
        </div>
      )}
      {state.list === 'ready' && (
        <>
          {view.rows.length === 0 ? (
            <p className="empty">
              Nothing to do yet. Add the first todo above, and open a second window to watch it arrive there.
            </p>
          ) : (
            <ul className="todos" aria-label="Todos" {...focusHandlers}>
              {view.rows.map((row) => (
                <TodoItem
                  key={row.id}
                  row={row}
                  me={me}
                  presence={presence?.get(row.id)}
                  acted={actedOn?.id === row.id ? actedOn.seq : undefined}
                  onToggle={onToggle}
                  onRename={onRename}
                  onDelete={onDelete}
                  onResolveConflict={todos.resolveConflict}
                  onRetry={todos.retry}
                  onDiscard={todos.discard}
                  onUndoDelete={todos.undoRemove}
                />
              ))}
            </ul>
          )}
          {state.listError && (
            <p className="hint hint--warn">
              The last refresh failed ({state.listError}); showing what we had.{' '}
              <button type="button" className="link-button" onClick={todos.refresh}>
                Refresh
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}
