/**
 * What a failed command of this window offers: send it again, let it go, or copy its text first.
 * Nothing the user typed is lost without their say.
 */
import { useState } from 'react';
import type { CommandEntry } from '../commands/commandReducer';

/** The text the user wrote for this command (a new todo, a new text), or the todo's text. */
export function commandText(entry: CommandEntry): string {
  return entry.patch.text ?? entry.label;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

interface Props {
  entry: CommandEntry;
  onRetry: (entry: CommandEntry) => void;
  onDiscard: (entry: CommandEntry) => void;
}

export function FailedActions({ entry, onRetry, onDiscard }: Props) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const text = commandText(entry);
  return (
    <span className="failed-actions" data-testid="failed-actions">
      <button type="button" className="button button--small" data-testid="command-retry" onClick={() => onRetry(entry)}>
        Retry
      </button>
      <button
        type="button"
        className="button button--ghost button--small"
        data-testid="command-discard"
        onClick={() => onDiscard(entry)}
      >
        Discard
      </button>
      <button
        type="button"
        className="button button--ghost button--small"
        data-testid="command-copy"
        onClick={() => void copy(text).then((ok) => setCopied(ok ? 'yes' : 'no'))}
        aria-label={`Copy text '${text}'`}
      >
        Copy text
      </button>
      <span className="failed-actions__copied" role="status">
        {copied === 'yes' ? 'Copied' : copied === 'no' ? `Copy failed: ${text}` : ''}
      </span>
    </span>
  );
}
