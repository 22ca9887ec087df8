/**
 * One row of the list: toggle, text (editable), the latest command's life, delete; and what others
 * do with it: who looks at it, who is in which field, whose change is pending, and a conflict
 * panel when a change of this window lost against someone else's.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { EditingMarkers, OthersPending, Viewers } from '../collab/Markers';
import type { TodoPresence } from '../collab/presence';
import { needsDecision, type CommandEntry } from '../commands/commandReducer';
import type { RowView } from '../commands/selectView';
import { secondsUntil, useNow } from '../shared/useNow';
import { CommandStatus } from './CommandStatus';
import { ConflictPanel } from './ConflictPanel';
import { FailedActions } from './FailedActions';
import { MAX_TEXT_LENGTH, textProblem } from './todoText';

interface Props {
  row: RowView;
  /** The signed-in user. */
  me?: string;
  /** Other users on this todo. */
  presence?: TodoPresence | undefined;
  onToggle: (row: RowView) => void;
  /** `seenVersion`: the version the edit started from. */
  onRename: (row: RowView, text: string, seenVersion: number) => void;
  onDelete: (row: RowView) => void;
  onResolveConflict?: (row: RowView, choice: 'mine' | 'theirs') => void;
  onRetry?: (entry: CommandEntry) => void;
  onDiscard?: (entry: CommandEntry) => void;
  onUndoDelete?: (entityId: string) => void;
  /** Set while the user's latest act is on this row: it scrolls into view and lights up. A new number for each act scrolls to it again. */
  acted?: number | undefined;
}

export function TodoItem({
  row,
  me = '',
  presence,
  onToggle,
  onRename,
  onDelete,
  onResolveConflict,
  onRetry,
  onDiscard,
  onUndoDelete,
  acted,
}: Props) {
  const { todo, latest, ghost } = row;
  const now = useNow(row.heldUntil !== null);
  const held = row.heldUntil !== null;
  const [editing, setEditing] = useState(false);
  /** What the edit started from: the version its save will send as expectedVersion. */
  const [editBase, setEditBase] = useState<{ expectedVersion: number } | null>(null);
  const [draft, setDraft] = useState(todo.text);
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const problemId = useId();
  const rowRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (acted !== undefined) rowRef.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [acted]);

  useEffect(() => {
    if (editing) inputRef.current?.select();
    else if (returnFocus.current) {
      returnFocus.current = false;
      editButtonRef.current?.focus();
    }
  }, [editing]);

  const startEditing = () => {
    if (ghost) return;
    setDraft(todo.text);
    setProblem(null);
    setEditBase({ expectedVersion: row.expectedVersion });
    setEditing(true);
  };

  const stopEditing = () => {
    returnFocus.current = true;
    setEditing(false);
    setProblem(null);
  };

  const save = () => {
    const text = draft.trim();
    const why = textProblem(text);
    if (why) {
      setProblem(why);
      return;
    }
    if (text !== todo.text) onRename(row, text, editBase?.expectedVersion ?? row.expectedVersion);
    stopEditing();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      stopEditing();
    }
  };

  // The server moved past the version this edit will send: saving it will conflict.
  const changedMeanwhile =
    editing && editBase !== null && row.confirmed !== null && row.confirmed.version > editBase.expectedVersion;

  const classes = [
    'todo',
    todo.completed ? 'todo--done' : '',
    row.pending ? 'todo--pending' : '',
    row.rolledBack ? 'todo--rolled-back' : '',
    ghost ? 'todo--ghost' : '',
    row.conflict ? 'todo--conflict' : '',
    held ? 'todo--held' : '',
    acted !== undefined ? 'todo--acted' : '',
    `todo--${row.status}`,
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <li
      ref={rowRef}
      className={classes}
      data-testid="todo-item"
      data-id={row.id}
      data-status={row.status}
      data-pending={row.pending ? 'true' : 'false'}
      data-held={held ? 'true' : undefined}
      data-presence-id={row.confirmed && !ghost ? row.id : undefined}
    >
      <input
        type="checkbox"
        className="todo__toggle"
        data-testid="todo-toggle"
        data-presence-field="completed"
        checked={todo.completed}
        disabled={ghost}
        onChange={() => onToggle(row)}
        aria-label={`Done: ${todo.text}`}
      />
      <div className="todo__main">
        {editing ? (
          <>
            <input
              ref={inputRef}
              className="todo__edit"
              data-testid="todo-edit-input"
              data-presence-field="text"
              value={draft}
              maxLength={MAX_TEXT_LENGTH}
              onChange={(e) => {
                setDraft(e.target.value);
                setProblem(null);
              }}
              onKeyDown={onKeyDown}
              aria-label={`New text for '${todo.text}'`}
              aria-invalid={problem !== null}
              aria-describedby={problem ? problemId : undefined}
              autoFocus
            />
            {problem && (
              <span className="field-error" id={problemId} role="alert">
                {problem}
              </span>
            )}
            {changedMeanwhile && row.confirmed && (
              <span className="hint hint--warn todo__meanwhile">
                {!row.confirmed.updatedBy ? 'Someone' : row.confirmed.updatedBy === me ? 'You (elsewhere)' : row.confirmed.updatedBy}{' '}
                changed it meanwhile to '{row.confirmed.text}'. Saving will show a conflict.
              </span>
            )}
          </>
        ) : (
          <span className="todo__text" data-testid="todo-text" onDoubleClick={startEditing}>
            {todo.text}
          </span>
        )}
        {presence && presence.editors.length > 0 && (
          <span className="todo__markers">
            <EditingMarkers presence={presence} field="text" />
            <EditingMarkers presence={presence} field="completed" />
          </span>
        )}
        <div className="todo__meta">
          <OthersPending pending={row.othersPending} />
          {latest && <CommandStatus entry={latest} />}
          {row.rolledBack && !row.conflict && (
            // Keyed by the command, so the flash plays again for every rollback.
            <span key={latest?.key} className="chip chip--rollback">
              {ghost ? 'Not saved · rolled back' : 'Rolled back'}
            </span>
          )}
          {!latest && todo.updatedBy && row.othersPending.length === 0 && (
            <span className="todo__by">
              {row.confirmed?.version ? `v${row.confirmed.version} · ` : ''}last change by {todo.updatedBy}
            </span>
          )}
        </div>
        {latest && needsDecision(latest) && onRetry && onDiscard && (
          <FailedActions entry={latest} onRetry={onRetry} onDiscard={onDiscard} />
        )}
        {held && row.heldUntil !== null && (
          <span className="todo__held" data-testid="delete-held">
            Deleting in {secondsUntil(row.heldUntil, now)}
            {onUndoDelete && (
              <button
                type="button"
                className="button button--small"
                data-testid="delete-undo"
                onClick={() => onUndoDelete(row.id)}
              >
                Undo
              </button>
            )}
          </span>
        )}
        {row.conflict && onResolveConflict && (
          <ConflictPanel
            conflict={row.conflict}
            me={me}
            onKeepMine={() => onResolveConflict(row, 'mine')}
            onTakeTheirs={() => onResolveConflict(row, 'theirs')}
          />
        )}
      </div>
      <Viewers presence={presence} />
      <div className="todo__actions">
        {editing ? (
          <>
            <button type="button" className="button button--small" data-testid="todo-edit-save" onClick={save}>
              Save
            </button>
            <button
              type="button"
              className="button button--ghost button--small"
              data-testid="todo-edit-cancel"
              onClick={stopEditing}
            >
              Cancel
            </button>
          </>
        ) : (
          <button
            ref={editButtonRef}
            type="button"
            className="button button--ghost button--small"
            data-testid="todo-edit"
            onClick={startEditing}
            disabled={ghost}
            aria-label={`Edit '${todo.text}'`}
          >
            Edit
          </button>
        )}
        <button
          type="button"
          className="button button--ghost button--small button--danger"
          data-testid="todo-delete"
          onClick={() => onDelete(row)}
          disabled={ghost || editing || held}
          aria-label={`Delete '${todo.text}'`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
