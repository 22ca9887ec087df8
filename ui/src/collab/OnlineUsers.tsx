/** Who's online: every user with a present window, and how many windows each. */
import { initials, type OnlineUser } from './presence';

interface Props {
  users: OnlineUser[];
  /** Whether presence is known (subscribed); while offline nobody is known to be here. */
  known: boolean;
  /** This window's id on the server (from welcome/resumed/resync). */
  windowId?: string | null;
}

export function OnlineUsers({ users, known, windowId }: Props) {
  return (
    <section className="online" aria-label="Who's online">
      <h3 className="online__title">Online</h3>
      <ul
        className="online__list"
        data-testid="online-users"
        data-known={known ? 'true' : 'false'}
        data-window-id={windowId ?? undefined}
      >
        {!known && <li className="online__unknown">unknown while offline</li>}
        {users.map((u) => (
          <li
            key={u.userId}
            className={`online__user ${u.me ? 'online__user--me' : ''}`}
            data-testid="online-user"
            data-user={u.userId}
            data-windows={u.windows}
            title={`${u.userId}${u.me ? ' (you)' : ''}: ${u.windows} window${u.windows === 1 ? '' : 's'}`}
          >
            <span className={`avatar avatar--small ${avatarTone(u.userId)}`} aria-hidden="true">
              {initials(u.userId)}
            </span>
            <span className="online__name">
              {u.userId}
              {u.me ? ' (you)' : ''}
            </span>
            <span className="online__count">
              {u.windows} window{u.windows === 1 ? '' : 's'}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

const TONES = 6;

/** One of a few colours per user, the same in every window. */
export function avatarTone(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return `avatar--tone${hash % TONES}`;
}
