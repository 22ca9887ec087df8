/** New todos the list does not show (yet): waiting for the server in Safe mode, or failed on the way. */
import type { CommandEntry } from '../commands/commandReducer';
import { CommandStatus } from './CommandStatus';

export function Outbox({ entries }: { entries: CommandEntry[] }) {
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
          </li>
        ))}
      </ul>
    </section>
  );
}
