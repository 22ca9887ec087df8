/**
 * The live regions of the window: own failures assertively, everything else politely, and the
 * recent notices as a list (`notice-log`, visually hidden) so that none is lost when its toast goes.
 */
import { useSyncExternalStore } from 'react';
import { announcer } from './announcer';

export function Announcer() {
  const { assertive, polite, history } = useSyncExternalStore(announcer.subscribe, announcer.get);
  return (
    <div className="visually-hidden">
      <p aria-live="assertive" aria-atomic="true" data-testid="announce-assertive">
        {assertive?.text ?? ''}
      </p>
      <p aria-live="polite" aria-atomic="true" data-testid="announce-polite">
        {polite?.text ?? ''}
      </p>
      <ol aria-label="Recent notifications" data-testid="notice-log">
        {history.map((n) => (
          <li key={n.id} data-kind={n.kind}>
            {n.text}
          </li>
        ))}
      </ol>
    </div>
  );
}
