/** New todos the list does not show (yet): waiting for the server in Safe mode, or failed on the way. */
import { needsDecision, type CommandEntry } from '../commands/commandReducer';
import { CommandStatus } from './CommandStatus';
import { FailedActions } from './FailedActions';

interface Props {
  entries: CommandEntry[];
  onRetry?: (entry: CommandEntry) => void;
  onDiscard?: (entry: CommandEntry) => void;
}

export function Outbox({ entries, onRetry, onDiscard }: Props) {
  if (entries.length === 0) return null;
  return (
    <section className="outbox" aria-label="New todos on their way">
      <h3 className="outbox__title">On their way, not in the list yet</h3>
      <ul className="outbox__list">
        {entries.map((entry) => (
          <li
            key={entry.key}
            className={`outbox__item outbox__item--${entry.phase}`}
            data-testid="outbox-item"
            data-id={entry.entityId}
            data-status={entry.phase}
          >
            <span className="outbox__text" data-testid="todo-text">{entry.patch.text ?? entry.label}</span>
            <CommandStatus entry={entry} />
            {needsDecision(entry) && onRetry && onDiscard && (
              <FailedActions entry={entry} onRetry={onRetry} onDiscard={onDiscard} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
