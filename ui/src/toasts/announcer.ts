/**
 * What the window said, for screen readers and for anyone who missed a toast: the latest own
 * failure (announced assertively), the latest other notice (announced politely), and the last
 * few notices as a list. Toasts come and go; this stays.
 *
 * Plain TypeScript, one per window (module-level, like the toaster it accompanies).
 */
import type { Notice } from '../commands/notices';

export interface Announcements {
  /** This window's latest failure: interrupts (aria-live="assertive"). */
  assertive: Notice | null;
  /** The latest confirmation or change by others: waits its turn (aria-live="polite"). */
  polite: Notice | null;
  /** The newest last, at most {@link HISTORY}; a notice replaced under the same id keeps its place. */
  history: Notice[];
}

export const HISTORY = 20;

export interface Announcer {
  record(notice: Notice): void;
  get(): Announcements;
  subscribe(listener: () => void): () => void;
}

export function createAnnouncer(limit = HISTORY): Announcer {
  let state: Announcements = { assertive: null, polite: null, history: [] };
  const listeners = new Set<() => void>();
  return {
    record(notice) {
      const at = state.history.findIndex((n) => n.id === notice.id);
      const history =
        at >= 0 ? state.history.map((n, i) => (i === at ? notice : n)) : [...state.history, notice].slice(-limit);
      state =
        notice.kind === 'error'
          ? { ...state, assertive: notice, history }
          : { ...state, polite: notice, history };
      for (const listener of [...listeners]) listener();
    },
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** The window's announcer. */
export const announcer = createAnnouncer();
