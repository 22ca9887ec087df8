/** Connected / reconnecting in x s / offline: the state of this window's socket at a glance. */
import { secondsUntil, useNow } from '../shared/useNow';
import type { SocketStatus } from '../socket/useSocket';

export type BadgeState = 'connected' | 'reconnecting' | 'offline';

export function badgeState(status: SocketStatus): BadgeState {
  switch (status) {
    case 'open':
      return 'connected';
    case 'connecting':
    case 'waiting':
      return 'reconnecting';
    default:
      return 'offline';
  }
}

export function badgeText(status: SocketStatus, nextAttemptAt: number | null, attempt: number, now: number): string {
  switch (status) {
    case 'open':
      return 'Live';
    case 'connecting':
      return attempt > 0 ? `Reconnecting… (attempt ${attempt + 1})` : 'Connecting…';
    case 'waiting':
      return nextAttemptAt ? `Reconnecting in ${secondsUntil(nextAttemptAt, now)}` : 'Reconnecting…';
    case 'offline':
      return 'Offline';
    case 'closed':
      return 'Not connected';
  }
}

interface Props {
  status: SocketStatus;
  nextAttemptAt: number | null;
  attempt: number;
  onReconnectNow: () => void;
}

export function ConnectionBadge({ status, nextAttemptAt, attempt, onReconnectNow }: Props) {
  const now = useNow(status === 'waiting');
  const state = badgeState(status);
  const text = badgeText(status, nextAttemptAt, attempt, now);
  return (
    <div className="connection">
      <span
        className={`badge badge--${state}`}
        data-testid="connection-badge"
        data-state={state}
        role="status"
        aria-label={`Live updates: ${state}`}
        title={text}
      >
        <span className="badge__dot" aria-hidden="true" />
        <span aria-hidden="true">{text}</span>
      </span>
      {status === 'waiting' && (
        <button type="button" className="link-button" onClick={onReconnectNow}>
          Retry now
        </button>
      )}
    </div>
  );
}
