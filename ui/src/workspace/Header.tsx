/** One line: brand, connection badge, who is signed in, and ways to open more windows. */
import { useId, useState } from 'react';
import { ConnectionBadge } from '../connection/ConnectionBadge';
import { userIdProblem, windowUrlFor } from '../session/session';
import type { SocketHandle } from '../socket/useSocket';

interface Props {
  userId: string;
  socket: SocketHandle;
  onSignOut: () => void;
}

export function Header({ userId, socket, onSignOut }: Props) {
  const [other, setOther] = useState(userId === 'bob' ? 'carol' : 'bob');
  const otherId = useId();
  const valid = userIdProblem(other.trim()) === null;
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true">
          ◆
        </span>
        <div>
          <h1 className="brand__name">Eventually</h1>
          <p className="brand__tagline">Commands, 202 Accepted, and the truth pushed later</p>
        </div>
      </div>
      <ConnectionBadge
        status={socket.status}
        nextAttemptAt={socket.nextAttemptAt}
        attempt={socket.attempt}
        onReconnectNow={socket.reconnectNow}
      />
      <nav className="user" aria-label="Session">
        <span className="user__who">
          <span className="avatar" aria-hidden="true">
            {userId.slice(0, 1).toUpperCase()}
          </span>
          <span>
            <span className="visually-hidden">Signed in as </span>
            <strong data-testid="current-user">{userId}</strong>
          </span>
        </span>
        <a
          className="button button--small button--ghost"
          href={windowUrlFor(userId)}
          target="_blank"
          rel="noopener"
          aria-label={`New window as ${userId}`}
        >
          <span className="user__new-window-label">New window as {userId} </span>
          <span aria-hidden="true">↗</span>
        </a>
        <form
          className="open-as"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) window.open(windowUrlFor(other.trim()), '_blank', 'noopener');
          }}
        >
          <label htmlFor={otherId} className="open-as__label">
            Open as
          </label>
          <input
            id={otherId}
            className="open-as__input"
            data-testid="open-as-user"
            value={other}
            onChange={(e) => setOther(e.target.value)}
            maxLength={64}
            aria-invalid={!valid}
          />
          <button type="submit" className="button button--small" disabled={!valid} aria-label={`Open a new window as ${other.trim() || '…'}`}>
            <span aria-hidden="true">↗</span>
          </button>
        </form>
        <button type="button" className="button button--small button--ghost" onClick={onSignOut}>
          Sign out
        </button>
      </nav>
    </header>
  );
}
