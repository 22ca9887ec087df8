/** The life of the latest command on an item: sending, retrying, accepted (202), confirmed, failed. */
import type { CommandEntry } from '../commands/commandReducer';
import { reason } from '../commands/notices';
import { secondsUntil, useNow } from '../shared/useNow';

export function statusText(entry: CommandEntry, now: number): string {
  if (entry.waitingForNetwork && (entry.phase === 'sending' || entry.phase === 'retrying')) {
    return `Waiting for network · attempt ${entry.attempt} not spent`;
  }
  switch (entry.phase) {
    case 'sending':
      return 'Sending…';
    case 'retrying': {
      const why = entry.retryReason ? ` after ${entry.retryReason}` : '';
      return entry.nextAttemptAt !== null && entry.nextAttemptAt > now
        ? `Retrying${why} · attempt ${entry.attempt}, next try in ${secondsUntil(entry.nextAttemptAt, now)}`
        : `Retrying · attempt ${entry.attempt}…`;
    }
    case 'accepted':
      return 'Accepted (202) · waiting for the server';
    case 'confirmed':
      return entry.origin === 'other-window' ? 'Confirmed (other window)' : 'Confirmed';
    case 'failed': {
      if (entry.conflict) {
        if (entry.resolution === 'theirs') return 'Conflict · took their version';
        if (entry.resolution === 'mine') return 'Conflict · sent yours again';
        return 'Conflict · keep yours or take theirs';
      }
      // A rollback has its own chip next to this text.
      return `Failed: ${entry.error ? reason(entry.error) : 'unknown reason'}`;
    }
  }
}

/** A confirmation, or a failure that asks nothing of the user, fades after a few seconds. */
export function fades(entry: CommandEntry): boolean {
  return entry.phase === 'confirmed' || (entry.phase === 'failed' && entry.origin === 'other-window');
}

const STEPS = ['Sent', 'Accepted', 'Confirmed'] as const;

function reached(entry: CommandEntry): number {
  switch (entry.phase) {
    case 'sending':
    case 'retrying':
      return 0;
    case 'accepted':
      return 1;
    case 'confirmed':
      return 2;
    case 'failed':
      return entry.commandId ? 1 : 0;
  }
}

export function CommandStatus({ entry }: { entry: CommandEntry }) {
  const now = useNow(entry.phase === 'retrying' && entry.nextAttemptAt !== null);
  const step = reached(entry);
  return (
    <span
      className={`status status--${entry.phase}${entry.waitingForNetwork ? ' status--waiting' : ''}${fades(entry) ? ' status--fades' : ''}`}
    >
      <span className="steps" aria-hidden="true">
        {STEPS.map((label, i) => (
          <span
            key={label}
            className={`steps__dot ${i <= step ? 'steps__dot--on' : ''} ${entry.phase === 'failed' && i === step + 1 ? 'steps__dot--failed' : ''}`}
            title={label}
          />
        ))}
      </span>
      <span className="status__text" data-testid="command-status" data-waiting={entry.waitingForNetwork ? 'true' : undefined}>
        {statusText(entry, now)}
      </span>
    </span>
  );
}
