/**
 * Connected / reconnecting in x s / offline: the state of this window's socket at a glance, and
 * the demo's "Drop connection" control, which shows what resuming does.
 */
import { useId, useRef, useState } from 'react';
import { secondsUntil, useNow } from '../shared/useNow';
import type { SocketStatus } from '../socket/useSocket';

export type BadgeState = 'connected' | 'reconnecting' | 'offline';

export const DEFAULT_DROP_SECONDS = 5;
export const MAX_DROP_SECONDS = 120;

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
    case 'suspended':
      return nextAttemptAt ? `Dropped on purpose · back in ${secondsUntil(nextAttemptAt, now)}` : 'Dropped on purpose';
    case 'closed':
      return 'Not connected';
  }
}

/** Whole seconds in [1, MAX_DROP_SECONDS], or null. */
export function parseDropSeconds(value: string): number | null {
  const n = Number(value);
  if (!Number.isFinite(n) || value.trim() === '') return null;
  const s = Math.round(n);
  return s >= 1 && s <= MAX_DROP_SECONDS ? s : null;
}

interface Props {
  status: SocketStatus;
  nextAttemptAt: number | null;
  attempt: number;
  onReconnectNow: () => void;
  /** Drops the socket and keeps it away for `ms`; absent: no drop control. */
  onDrop?: (ms: number) => void;
}

export function ConnectionBadge({ status, nextAttemptAt, attempt, onReconnectNow, onDrop }: Props) {
  const now = useNow(status === 'waiting' || status === 'suspended');
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
      {(status === 'waiting' || status === 'suspended') && (
        <button type="button" className="link-button" onClick={onReconnectNow}>
          {status === 'suspended' ? 'Reconnect now' : 'Retry now'}
        </button>
      )}
      {onDrop && <DropControl suspended={status === 'suspended'} onDrop={onDrop} />}
    </div>
  );
}

/**
 * "Drop connection (5 s)": close the socket now, stay offline that long, then resume. The field is
 * uncontrolled (its DOM value is read on click), so a re-render never undoes what is being typed
 * into it, also not between a WebDriver clear() and sendKeys().
 */
export function DropControl({ suspended, onDrop }: { suspended: boolean; onDrop: (ms: number) => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState(String(DEFAULT_DROP_SECONDS));
  const inputId = useId();
  const seconds = parseDropSeconds(value);
  return (
    <span className="drop">
      <button
        type="button"
        className="button button--small button--ghost"
        data-testid="simulate-drop"
        disabled={seconds === null || suspended}
        onClick={() => {
          const now = parseDropSeconds(inputRef.current?.value ?? value);
          if (now !== null) onDrop(now * 1000);
        }}
        title="Closes the socket now and keeps it closed; the reconnect then resumes from the last seq this window processed"
      >
        Drop connection ({seconds ?? '?'} s)
      </button>
      <label htmlFor={inputId} className="visually-hidden">
        Seconds to stay offline
      </label>
      <input
        ref={inputRef}
        id={inputId}
        className="drop__seconds"
        data-testid="simulate-drop-seconds"
        type="number"
        min={1}
        max={MAX_DROP_SECONDS}
        defaultValue={DEFAULT_DROP_SECONDS}
        onChange={(e) => setValue(e.target.value)}
        aria-invalid={seconds === null}
      />
    </span>
  );
}
