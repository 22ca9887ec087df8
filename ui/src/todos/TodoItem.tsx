/** One row of the list: toggle, text (editable), the latest command's life, delete. */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { RowView } from '../commands/selectView';
import { CommandStatus } from './CommandStatus';
import { MAX_TEXT_LENGTH, textProblem } from './todoText';

interface Props {
  row: RowView;
  onToggle: (row: RowView) => void;
  onRename: (row: RowView, text: string) => void;
  onDelete: (row: RowView) => void;
}

export function TodoItem({ row, onToggle, onRename, onDelete }: Props) {
  const { todo, latest, ghost } = row;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(todo.text);
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const problemId = useId();

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
    if (text !== todo.text) onRename(row, text);
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

  const classes = [
    'todo',
    todo.completed ? 'todo--done' : '',
    row.pending ? 'todo--pending' : '',
    row.rolledBack ? 'todo--rolled-back' : '',
    ghost ? 'todo--ghost' : '',
    `todo--${row.status}`,
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <li
      className={classes}
      data-testid="todo-item"
      data-id={row.id}
      data-status={row.status}
      data-pending={row.pending ? 'true' : 'false'}
    >
      <input
        type="checkbox"
        className="todo__toggle"
        data-testid="todo-toggle"
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
              value={draft}
              maxLength={MAX_TEXT_LENGTH}
              onChange={(e) => {
                setDraft(e.target.value);
                setProblem(null);
              }}
              onKeyDown={onKeyDown}
              onBlur={stopEditing}
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
          </>
        ) : (
          <span className="todo__text" data-testid="todo-text" onDoubleClick={startEditing}>
            {todo.text}
          </span>
        )}
        <div className="todo__meta">
          {latest && <CommandStatus entry={latest} />}
          {row.rolledBack && (
            // Keyed by the command, so the flash plays again for every rollback.
            <span key={latest?.key} className="chip chip--rollback">
              {ghost ? 'Not saved · rolled back' : 'Rolled back'}
            </span>
          )}
          {!latest && todo.updatedBy && (
            <span className="todo__by">
              {row.confirmed?.version ? `v${row.confirmed.version} · ` : ''}last change by {todo.updatedBy}
            </span>
          )}
        </div>
      </div>
      <div className="todo__actions">
        {editing ? (
          <button type="button" className="button button--small" onMouseDown={(e) => e.preventDefault()} onClick={save}>
            Save
          </button>
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
          disabled={ghost || editing}
          aria-label={`Delete '${todo.text}'`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
