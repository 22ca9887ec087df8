/**
 * Tells the server where this window's focus is, at most once per `minIntervalMs` (the server
 * rate-limits presence): a change within the interval waits for its end, and only the latest
 * focus is sent then (trailing update wins). Nothing is sent for a focus the server already has.
 * After every (re)connect the server knows nothing, so `connected` sends the current focus again;
 * `disconnected` stops any timer (also the way to dispose of it).
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
  /** Sends if the socket is open; false when it could not. */
  send: (message: PresenceMessage) => boolean;
  minIntervalMs?: number;
  now?: () => number;
}

export interface PresenceSender {
  /** The focus moved. */
  set(focus: Focus): void;
  /** A socket just opened: the server has no focus for this window yet. */
  connected(): void;
  /** The socket closed: whatever was sent is forgotten with it. */
  disconnected(): void;
  current(): Focus;
}

export const PRESENCE_MIN_INTERVAL_MS = 250;

export function createPresenceSender(options: PresenceSenderOptions): PresenceSender {
  const minInterval = options.minIntervalMs ?? PRESENCE_MIN_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let wanted: Focus = NO_FOCUS;
  /** What the server has for this window, or null when it has nothing from this connection. */
  let sent: Focus | null = null;
  let lastSentAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    if (sent !== null && sameFocus(sent, wanted)) return;
    const wait = lastSentAt + minInterval - now();
    if (wait > 0) {
      timer = setTimeout(flush, wait);
      return;
    }
    const focus = wanted;
    if (options.send({ type: 'presence', entityId: focus.entityId, field: focus.field })) {
      sent = focus;
      lastSentAt = now();
    }
  };

  const schedule = () => {
    if (timer === undefined) flush();
  };

  return {
    set(focus) {
      if (sameFocus(focus, wanted)) return;
      wanted = { entityId: focus.entityId, field: focus.entityId === null ? null : focus.field };
      schedule();
    },
    connected() {
      // A new socket: the server has nothing from it yet, and its rate limit starts afresh.
      sent = null;
      lastSentAt = -Infinity;
      clearTimeout(timer);
      timer = undefined;
      flush();
    },
    disconnected() {
      sent = null;
      clearTimeout(timer);
      timer = undefined;
    },
    current: () => wanted,
  };
}
