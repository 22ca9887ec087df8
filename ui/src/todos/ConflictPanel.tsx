/**
 * A change of this window that lost a race: the server had a newer version. Both sides, and the
 * choice: send mine again on the current version, or take theirs (the list already shows it).
 */
import type { Todo } from '../api/types';
import type { ConflictView } from '../commands/selectView';

interface Props {
  conflict: ConflictView;
  me: string;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
}

export function describeTodo(todo: Todo): string {
  return `'${todo.text}' · ${todo.completed ? 'done' : 'not done'}`;
}

/** "your change" in words: the fields it sets, or the delete. */
export function describeMine(conflict: ConflictView): string {
  const { entry } = conflict;
  if (entry.kind === 'delete') return 'delete it';
  const parts: string[] = [];
  if (entry.patch.text !== undefined) parts.push(`'${entry.patch.text}'`);
  if (entry.patch.completed !== undefined) parts.push(entry.patch.completed ? 'done' : 'not done');
  return parts.join(' · ');
}

export function ConflictPanel({ conflict, me, onKeepMine, onTakeTheirs }: Props) {
  const by = conflict.theirs.updatedBy;
  const who = !by ? 'The server' : by === me ? 'Your other window' : by;
  const whose = !by ? "The server's" : by === me ? "Your other window's" : `${by}'s`;
  return (
    <div className="conflict" data-testid="conflict" role="group" aria-label="Conflict">
      <p className="conflict__title">
        <strong>Conflict:</strong> {who} changed this first (now v{conflict.theirs.version}). Your change was not applied.
      </p>
      <dl className="conflict__sides">
        <div className="conflict__side conflict__side--theirs" data-testid="conflict-theirs">
          <dt>{whose} version</dt>
          <dd>{describeTodo(conflict.theirs)}</dd>
        </div>
        <div className="conflict__side conflict__side--mine" data-testid="conflict-mine">
          <dt>Your change</dt>
          <dd>{describeMine(conflict)}</dd>
        </div>
      </dl>
      <div className="conflict__actions">
        <button type="button" className="button button--small button--primary" data-testid="conflict-keep-mine" onClick={onKeepMine}>
          Keep mine
        </button>
        <button type="button" className="button button--small" data-testid="conflict-take-theirs" onClick={onTakeTheirs}>
          Take theirs
        </button>
      </div>
    </div>
  );
}
