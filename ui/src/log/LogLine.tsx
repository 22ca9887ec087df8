/**
 * One line of the live log: the summary, and, when it has one, its full message, opened by click or
 * keyboard; a line about a todo links to its row in the list, or says the todo is gone.
 */
import type { LogEntry } from './logStore';

/** The todo a line concerns, as the list has it now: its text, or null when it is no longer there. */
export interface LinkedTodo {
  id: string;
  text: string | null;
}

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

function ItemLink({ todo, onShow }: { todo: LinkedTodo; onShow: (id: string) => void }) {
  if (todo.text === null) {
    return <span className="line__item line__item--gone">item gone from the list</span>;
  }
  return (
    <button
      type="button"
      className="line__item link-button"
      data-testid="log-show-item"
      aria-label={`Show item '${todo.text}' in the list`}
      onClick={() => onShow(todo.id)}
    >
      Show item
    </button>
  );
}

interface Props {
  entry: LogEntry;
  /** The todo the line concerns, if any. */
  todo?: LinkedTodo | undefined;
  /** Scrolls the todo's row into view and lights it up. */
  onShowItem?: ((id: string) => void) | undefined;
}

export function LogLine({ entry, todo, onShowItem }: Props) {
  // Outside the <summary>: a control inside it would also open and close the line.
  const link = todo && onShowItem ? <ItemLink todo={todo} onShow={onShowItem} /> : null;
  const classes = `line line--${entry.level} line--${entry.channel}${link ? ' line--linked' : ''}`;
  if (!entry.detail) {
    return (
      <li className={classes}>
        <Head entry={entry} />
        {link}
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
      {link}
    </li>
  );
}
