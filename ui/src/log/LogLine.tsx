/** One line of the live log: the summary, and, when it has one, its full message, opened by click or keyboard. */
import type { LogEntry } from './logStore';

function time(at: number): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const ARROW: Record<LogEntry['direction'], string> = { out: '→', in: '←', note: '·' };
const CHANNEL: Record<LogEntry['channel'], string> = { http: 'HTTP', ws: 'WS', app: 'APP' };

/** The detail as indented JSON when it is JSON, else as it is. */
export function fullDetail(detail: string): string {
  try {
    return JSON.stringify(JSON.parse(detail), null, 2);
  } catch {
    return detail;
  }
}

function Head({ entry }: { entry: LogEntry }) {
  return (
    <>
      <span className="line__time">{time(entry.at)}</span>
      <span className="line__channel">{CHANNEL[entry.channel]}</span>
      <span className="line__arrow" aria-hidden="true">
        {ARROW[entry.direction]}
      </span>
      <span className="line__summary">{entry.summary}</span>
    </>
  );
}

export function LogLine({ entry }: { entry: LogEntry }) {
  const classes = `line line--${entry.level} line--${entry.channel}`;
  if (!entry.detail) {
    return (
      <li className={classes}>
        <Head entry={entry} />
      </li>
    );
  }
  // <details>: Enter or Space on the summary opens the full message, without any script.
  return (
    <li className={`${classes} line--expandable`}>
      <details className="line__details">
        <summary className="line__head">
          <Head entry={entry} />
          <code className="line__detail">{entry.detail}</code>
        </summary>
        <pre className="line__full" data-testid="log-detail">
          {fullDetail(entry.detail)}
        </pre>
      </details>
    </li>
  );
}
