/**
 * Every HTTP attempt and answer and every socket frame, as they happen; each line opens to its full
 * message, and a line about a todo links to its row in the list.
 */
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { LogLine, type LinkedTodo } from './LogLine';
import type { LogSnapshot, LogStore } from './logStore';

const SHOWN = 300;

interface Props {
  store: LogStore;
  /** The todos in the list now, id to text: a line about one of them links to its row. */
  todos?: ReadonlyMap<string, string> | undefined;
  /** Scrolls a todo's row into view and lights it up. */
  onShowItem?: ((id: string) => void) | undefined;
}

function linked(entityId: string | undefined, todos: ReadonlyMap<string, string> | undefined): LinkedTodo | undefined {
  if (entityId === undefined || todos === undefined) return undefined;
  return { id: entityId, text: todos.get(entityId) ?? null };
}

export function LogTerminal({ store, todos, onShowItem }: Props) {
  const live = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [paused, setPaused] = useState<LogSnapshot | null>(null);
  const [showHttp, setShowHttp] = useState(true);
  const [showWs, setShowWs] = useState(true);
  const [showNoisy, setShowNoisy] = useState(false);
  const bodyRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  const snapshot = paused ?? live;
  const entries = snapshot.entries
    .filter((e) => (e.channel === 'http' ? showHttp : e.channel === 'ws' ? showWs : true))
    .filter((e) => showNoisy || !e.noisy)
    .slice(-SHOWN);

  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (body && stick.current) body.scrollTop = body.scrollHeight;
  });

  useEffect(() => {
    const body = bodyRef.current;
    if (!body) return;
    const onScroll = () => {
      stick.current = body.scrollHeight - body.scrollTop - body.clientHeight < 24;
    };
    body.addEventListener('scroll', onScroll, { passive: true });
    return () => body.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <section className="panel panel--log" aria-labelledby="log-title">
      <header className="panel__header terminal__header">
        <h2 id="log-title" className="panel__title">
          Live log
        </h2>
        <div className="terminal__tools" role="group" aria-label="Log options">
          <label className="check">
            <input type="checkbox" checked={showHttp} onChange={(e) => setShowHttp(e.target.checked)} /> HTTP
          </label>
          <label className="check">
            <input type="checkbox" checked={showWs} onChange={(e) => setShowWs(e.target.checked)} /> WebSocket
          </label>
          <label className="check">
            <input type="checkbox" checked={showNoisy} onChange={(e) => setShowNoisy(e.target.checked)} /> stats ticks (
            {snapshot.noisyCount})
          </label>
          <button type="button" className="button button--small button--dark" onClick={() => setPaused(paused ? null : live)} aria-pressed={paused !== null}>
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" className="button button--small button--dark" onClick={() => store.clear()}>
            Clear
          </button>
        </div>
      </header>
      <ol
        ref={bodyRef}
        className="terminal"
        data-testid="log"
        role="log"
        aria-live="off"
        aria-label="HTTP calls and WebSocket messages"
        tabIndex={0}
      >
        {entries.length === 0 && <li className="terminal__empty">Nothing yet. Every request and push appears here.</li>}
        {entries.map((entry) => (
          <LogLine key={entry.id} entry={entry} todo={linked(entry.entityId, todos)} onShowItem={onShowItem} />
        ))}
      </ol>
    </section>
  );
}
