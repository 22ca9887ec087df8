/**
 * Tells the server where this window's focus is, at most once per `minIntervalMs` (the server
 * rate-limits presence): a change within the interval waits for its end, and only the latest
 * focus is sent then (trailing update wins). Nothing is sent for a focus the server already has.
 * After every (re)connect and resume the server knows nothing, so `connected` sends the current
 * focus again; `disconnected` stops every timer (also the way to dispose of it).
 *
 * The server may still not have this window where it wants to be: an announcement it refused
 * (`unknown-todo`, `rate-limited`, `unavailable` when it could not check the todo in time under
 * load). So while connected the focus is announced again every `refreshMs`, and a refusal is
 * answered: after `unknown-todo` the window announces itself at no todo (so it is at least online)
 * and tries the todo again at the next refresh; after `rate-limited` it sends again shortly; after
 * `unavailable` it keeps what the server has (the server keeps the previous announcement) and tries
 * the wanted focus again at the next refresh, so a busy server is not pressed harder.
 */
import type { PresenceField, PresenceMessage } from '../socket/protocol';

export interface Focus {
  entityId: string | null;
  field: PresenceField | null;
}

export const NO_FOCUS: Focus = { entityId: null, field: null };

export function sameFocus(a: Focus, b: Focus): boolean {
  return a.entityId === b.entityId && a.field === b.field;
}

export interface PresenceSenderOptions {
  /** Sends if the socket is open; false when it could not. `connected` may hand in another. */
  send?: (message: PresenceMessage) => boolean;
  minIntervalMs?: number;
  /** While connected, the focus is announced again this often (0: never). */
  refreshMs?: number;
  now?: () => number;
}

export interface PresenceSender {
  /** The focus moved. */
  set(focus: Focus): void;
  /** A socket just opened (sending through `send`, when given): the server has no focus for this window yet. */
  connected(send?: (message: PresenceMessage) => boolean): void;
  /** The socket closed: whatever was sent is forgotten with it. */
  disconnected(): void;
  /** The server answered a presence message with this error code. */
  rejected(code: string): void;
  current(): Focus;
}

export const PRESENCE_MIN_INTERVAL_MS = 250;
export const PRESENCE_REFRESH_MS = 5000;

/** The error codes the server answers presence messages with (docs/protocol.md). */
export const PRESENCE_ERRORS: readonly string[] = ['bad-presence', 'unknown-todo', 'rate-limited', 'unavailable'];

export function createPresenceSender(options: PresenceSenderOptions): PresenceSender {
  const minInterval = options.minIntervalMs ?? PRESENCE_MIN_INTERVAL_MS;
  const refreshMs = options.refreshMs ?? PRESENCE_REFRESH_MS;
  const now = options.now ?? Date.now;
  let wanted: Focus = NO_FOCUS;
  /** What the server has for this window, or null when it has nothing from this connection. */
  let sent: Focus | null = null;
  /** The server does not know the wanted todo (yet): announce the window at no todo meanwhile. */
  let degraded = false;
  let lastSentAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let refresher: ReturnType<typeof setInterval> | undefined;
  let send = options.send ?? (() => false);

  const target = (): Focus => (degraded && wanted.entityId !== null ? NO_FOCUS : wanted);

  const flush = () => {
    timer = undefined;
    const focus = target();
    if (sent !== null && sameFocus(sent, focus)) return;
    const wait = lastSentAt + minInterval - now();
    if (wait > 0) {
      timer = setTimeout(flush, wait);
      return;
    }
    if (send({ type: 'presence', entityId: focus.entityId, field: focus.field })) {
      sent = focus;
      lastSentAt = now();
    }
  };

  const schedule = () => {
    if (timer === undefined) flush();
  };

  const stopTimers = () => {
    clearTimeout(timer);
    timer = undefined;
    clearInterval(refresher);
    refresher = undefined;
  };

  return {
    set(focus) {
      if (sameFocus(focus, wanted)) return;
      wanted = { entityId: focus.entityId, field: focus.entityId === null ? null : focus.field };
      degraded = false;
      schedule();
    },
    connected(through) {
      if (through) send = through;
      // A new socket: the server has nothing from it yet, and its rate limit starts afresh.
      stopTimers();
      sent = null;
      degraded = false;
      lastSentAt = -Infinity;
      flush();
      if (refreshMs > 0) {
        refresher = setInterval(() => {
          // Whatever the server made of the last one: say it again, and try the todo again.
          sent = null;
          degraded = false;
          schedule();
        }, refreshMs);
      }
    },
    disconnected() {
      sent = null;
      stopTimers();
    },
    rejected(code) {
      if (!PRESENCE_ERRORS.includes(code) || refresher === undefined) return;
      // Not taken: the server has nothing (new) for this window.
      sent = null;
      if (code === 'unknown-todo') degraded = true;
      if (code === 'bad-presence') return; // the same message would be refused again
      if (code === 'unavailable') return; // the server keeps the previous one: the next refresh tries again
      clearTimeout(timer);
      timer = setTimeout(flush, minInterval);
    },
    current: () => wanted,
  };
}
