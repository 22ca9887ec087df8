/** On a todo: who else looks at it, who is in which field, and whose change is still pending. */
import type { PresenceField } from '../socket/protocol';
import { avatarTone } from './OnlineUsers';
import { initials, type TodoPresence } from './presence';

export function Viewers({ presence }: { presence: TodoPresence | undefined }) {
  if (!presence || presence.viewers.length === 0) return null;
  return (
    <span className="viewers" aria-label={`Also here: ${presence.viewers.join(', ')}`}>
      {presence.viewers.map((userId) => (
        <span
          key={userId}
          className={`avatar avatar--small viewer ${avatarTone(userId)}`}
          data-testid="viewer"
          data-user={userId}
          title={`${userId} is looking at this`}
        >
          {initials(userId)}
        </span>
      ))}
    </span>
  );
}

const DOING: Record<PresenceField, string> = { text: 'is editing', completed: 'is on the checkbox' };

export function EditingMarkers({ presence, field }: { presence: TodoPresence | undefined; field: PresenceField }) {
  const editors = presence?.editors.filter((e) => e.field === field) ?? [];
  if (editors.length === 0) return null;
  return (
    <>
      {editors.map((e) => (
        <span
          key={e.userId}
          className={`editing-marker editing-marker--${field}`}
          data-testid="editing-marker"
          data-user={e.userId}
          data-field={field}
          role="note"
        >
          <span className="editing-marker__dots" aria-hidden="true" />
          {e.userId} {DOING[field]}
        </span>
      ))}
    </>
  );
}

export function OthersPending({ pending }: { pending: { commandId: string; by: string }[] }) {
  const users = [...new Set(pending.map((p) => p.by))];
  return (
    <>
      {users.map((by) => (
        <span key={by} className="chip chip--others" data-testid="others-pending" data-user={by}>
          {by}: change pending
        </span>
      ))}
    </>
  );
}
