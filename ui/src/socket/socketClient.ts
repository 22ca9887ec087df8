/**
 * The one WebSocket of a window, without React (`useSocket` adapts it). It
 * - asks `getUrl` for a fresh URL (with a new single-use ticket) before every connection attempt,
 * - reconnects after any close it did not ask for, waiting a capped, fully jittered backoff that
 *   grows with every failed attempt and starts again once a connection has stayed up a while,
 * - waits for the browser to come back online instead of hammering while offline, and on the
 *   browser's `offline` event gives the open socket up at once (it cannot carry anything),
 * - queues what is sent while the socket is not open (bounded) and sends it once it is,
 * - validates every frame into a {@link ServerMessage} and reports what it cannot read,
 * - keeps the latest options in a ref, so that new callbacks never tear the connection down,
 * - sends `{"type":"ping"}` every 2 s while open and gives a socket up as dead when nothing at all
 *   arrived for 6 s (the server's WebSocket pings are invisible to JavaScript), then reconnects,
 * - can drop the connection on purpose and stay away for a while (`suspend`, the demo's
 *   "Drop connection" button), then reconnect like after any other drop.
 *
 * Resuming is the caller's part: `getUrl` is asked again before every attempt and appends the
 * `epoch` and `lastSeq` it tracks (see `delivery.ts`).
 */
import { backoffDelayMs } from '../api/retryPolicy';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './protocol';

export type SocketStatus =
  /** Asking for a ticket or opening the socket. */
  | 'connecting'
  | 'open'
  /** Closed; the next attempt starts at `nextAttemptAt`. */
  | 'waiting'
  /** The browser is offline; the next attempt starts when it is back. */
  | 'offline'
  /** Dropped on purpose (`suspend`); the next attempt starts at `nextAttemptAt`. */
  | 'suspended'
  /** Not wanted (signed out). */
  | 'closed';

export interface ReconnectPolicy {
  /** Ceiling of the first wait; it doubles with every failed attempt. */
  baseDelayMs: number;
  /** Cap of that ceiling. */
  maxDelayMs: number;
  /** A connection open at least this long counts as good: the backoff starts again from the base. */
  stableAfterMs: number;
  /** A socket still not open after this long is given up on (and retried). */
  openTimeoutMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  stableAfterMs: 5000,
  openTimeoutMs: 10_000,
};

export interface Heartbeat {
  /** How often `{"type":"ping"}` is sent while the socket is open. */
  intervalMs: number;
  /** A socket that received nothing at all for this long is given up on as dead. */
  silenceMs: number;
}

export const DEFAULT_HEARTBEAT: Heartbeat = { intervalMs: 2000, silenceMs: 6000 };

/** Close codes this client sends itself (a browser may only use 1000 and 3000-4999). */
export const CLOSE_NO_TRAFFIC = 4000;
export const CLOSE_SIMULATED_DROP = 4001;

export interface ConnectContext {
  /** 0 for the first attempt after a good connection (or the very first), then 1, 2, ... */
  attempt: number;
  /** Whether this window had a connection before (so it may have missed messages). */
  reconnect: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
  /** This client closed it (dead socket, simulated drop), not the server or the network. */
  byClient?: boolean;
}

/** The part of the browser's WebSocket this hook uses; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface SocketOptions {
  getUrl: (context: ConnectContext) => Promise<string>;
  onMessage: (message: ServerMessage) => void;
  /** After every successful open: subscribe here, and refetch what may be stale when `reconnect`. */
  onOpen?: (context: { reconnect: boolean }) => void;
  onClose?: (info: CloseInfo) => void;
  /** A frame that is not a valid message: it is ignored and the socket stays open. */
  onInvalid?: (text: string, reason: string) => void;
  /** Every frame, both ways, for the log. */
  onFrame?: (direction: 'in' | 'out', text: string) => void;
  /** `getUrl` failed (no ticket); a new attempt follows. */
  onConnectError?: (error: unknown) => void;
  reconnect?: Partial<ReconnectPolicy>;
  random?: () => number;
  createSocket?: SocketFactory;
  /** Most messages kept while the socket is not open; the oldest are dropped beyond. */
  maxQueued?: number;
  /** Pings and dead-socket detection; `false` turns both off. */
  heartbeat?: Heartbeat | false;
}


export interface SocketState {
  status: SocketStatus;
  /** Failed attempts in a row. */
  attempt: number;
  /** While `waiting` or `suspended`: when the next attempt starts (epoch ms). */
  nextAttemptAt: number | null;
}

export const CLOSED_STATE: SocketState = { status: 'closed', attempt: 0, nextAttemptAt: null };

/** Client close code for a socket given up because the browser went offline. */
export const CLOSE_BROWSER_OFFLINE = 4002;

const OPEN = 1;
const NORMAL_CLOSURE = 1000;

const browserSocket: SocketFactory = (url) => new WebSocket(url);

const isOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

/** What is sent while the socket is not open, kept (bounded) until it is. */
export interface SendQueue {
  items: string[];
}

export interface SocketClient {
  /** Sends now, or queues until the socket is open. */
  send(message: ClientMessage): void;
  /** Sends only if the socket is open now (for state that is sent again on every open anyway). */
  trySend(message: ClientMessage): boolean;
  /** Skips the wait (also the rest of a `suspend`) and tries now. */
  reconnectNow(): void;
  /** Closes the socket now and stays away for `ms`, then reconnects. */
  suspend(ms: number): void;
  /** Closes for good: no event counts any more, no reconnect follows. */
  dispose(): void;
}

/**
 * Starts connecting at once. `getOptions` is read at every use, so that callers may swap callbacks
 * without a reconnect; `onState` hears every change of status.
 */
export function createSocketClient(
  getOptions: () => SocketOptions,
  onState: (state: SocketState) => void,
  queue: SendQueue = { items: [] },
): SocketClient {
  const opts = getOptions;
  const policy = (): ReconnectPolicy => ({ ...DEFAULT_RECONNECT, ...opts().reconnect });
  const heartbeat = (): Heartbeat | null => {
    const value = opts().heartbeat;
    return value === false ? null : (value ?? DEFAULT_HEARTBEAT);
  };
  let disposed = false;
  let socket: SocketLike | null = null;
  let attempt = 0;
  let everOpened = false;
  let connecting = false;
  /** Bumped to abandon a connection attempt that is waiting for its URL. */
  let generation = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;
  let openTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;
  let suspendTimer: ReturnType<typeof setTimeout> | undefined;

  const show = (status: SocketStatus, nextAttemptAt: number | null = null) => {
    if (!disposed) onState({ status, attempt, nextAttemptAt });
  };

  const flushQueue = (open: SocketLike) => {
    const queued = queue.items;
    queue.items = [];
    for (const text of queued) {
      open.send(text);
      opts().onFrame?.('out', text);
    }
  };

  const scheduleRetry = () => {
    if (disposed) return;
    attempt += 1;
    if (isOffline()) {
      show('offline');
      return;
    }
    const delay = backoffDelayMs(attempt, policy(), opts().random);
    show('waiting', Date.now() + delay);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
  };

  /** Forgets a socket: none of its events count any more; it is closed with `code`. */
  const detach = (ws: SocketLike, code: number, reason: string) => {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    if (socket === ws) {
      socket = null;
    }
    clearTimeout(stableTimer);
    clearTimeout(openTimer);
    clearInterval(pingTimer);
    clearTimeout(silenceTimer);
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  };

  /** Anything received proves the socket alive; silence for `silenceMs` proves it dead. */
  const heard = (ws: SocketLike) => {
    const beat = heartbeat();
    if (!beat) return;
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => {
      if (disposed || socket !== ws) return;
      const reason = `nothing received for ${beat.silenceMs / 1000} s`;
      detach(ws, CLOSE_NO_TRAFFIC, reason);
      opts().onClose?.({ code: CLOSE_NO_TRAFFIC, reason, wasClean: false, byClient: true });
      scheduleRetry();
    }, beat.silenceMs);
  };

  const startPings = (ws: SocketLike) => {
    const beat = heartbeat();
    if (!beat) return;
    const ping = JSON.stringify({ type: 'ping' } satisfies ClientMessage);
    pingTimer = setInterval(() => {
      if (disposed || socket !== ws || ws.readyState !== OPEN) return;
      ws.send(ping);
      opts().onFrame?.('out', ping);
    }, beat.intervalMs);
    heard(ws);
  };

  const connect = async () => {
    if (disposed || socket || connecting) return;
    if (isOffline()) {
      show('offline');
      return;
    }
    connecting = true;
    const mine = ++generation;
    show('connecting');
    let url: string;
    try {
      url = await opts().getUrl({ attempt, reconnect: everOpened });
    } catch (error) {
      if (disposed || mine !== generation) return;
      connecting = false;
      opts().onConnectError?.(error);
      scheduleRetry();
      return;
    }
    if (disposed || mine !== generation) return;
    connecting = false;

    const create = opts().createSocket ?? browserSocket;
    let ws: SocketLike;
    try {
      ws = create(url);
    } catch (error) {
      opts().onConnectError?.(error);
      scheduleRetry();
      return;
    }
    socket = ws;
    openTimer = setTimeout(() => {
      if (socket === ws && ws.readyState !== OPEN) ws.close();
    }, policy().openTimeoutMs);

    ws.onopen = () => {
      if (disposed || socket !== ws) return;
      clearTimeout(openTimer);
      const reconnect = everOpened;
      everOpened = true;
      show('open');
      stableTimer = setTimeout(() => {
        attempt = 0;
        show('open');
      }, policy().stableAfterMs);
      startPings(ws);
      flushQueue(ws);
      opts().onOpen?.({ reconnect });
    };

    ws.onmessage = (event: MessageEvent) => {
      if (disposed || socket !== ws) return;
      heard(ws);
      if (typeof event.data !== 'string') {
        opts().onInvalid?.('(binary frame)', 'binary frames are not part of the protocol');
        return;
      }
      opts().onFrame?.('in', event.data);
      const result = parseServerMessage(event.data);
      if (result.ok) opts().onMessage(result.message);
      else opts().onInvalid?.(event.data, result.reason);
    };

    ws.onerror = () => {
      // A close event always follows; that is where the reconnect starts.
    };

    ws.onclose = (event: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      clearTimeout(stableTimer);
      clearTimeout(openTimer);
      clearInterval(pingTimer);
      clearTimeout(silenceTimer);
      if (disposed) return;
      opts().onClose?.({ code: event.code, reason: event.reason, wasClean: event.wasClean });
      scheduleRetry();
    };
  };

  const endSuspension = () => {
    clearTimeout(suspendTimer);
    suspendTimer = undefined;
  };

  const tryNow = () => {
    if (disposed || socket || connecting) return;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    endSuspension();
    void connect();
  };
  const suspend = (ms: number) => {
    if (disposed) return;
    generation++;
    connecting = false;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    endSuspension();
    const ws = socket;
    if (ws) {
      const reason = 'simulated drop';
      detach(ws, CLOSE_SIMULATED_DROP, reason);
      opts().onClose?.({ code: CLOSE_SIMULATED_DROP, reason, wasClean: true, byClient: true });
    }
    const wait = Math.max(0, ms);
    show('suspended', Date.now() + wait);
    suspendTimer = setTimeout(() => {
      suspendTimer = undefined;
      void connect();
    }, wait);
  };

  // Back online: try at once, unless the window is away on purpose.
  const onOnline = () => {
    if (suspendTimer === undefined) tryNow();
  };
  // Offline: an open socket can carry nothing now, and would only be found dead seconds later.
  const onOffline = () => {
    if (disposed) return;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (connecting) {
      generation++;
      connecting = false;
    }
    const ws = socket;
    if (ws) {
      const reason = 'the browser is offline';
      detach(ws, CLOSE_BROWSER_OFFLINE, reason);
      opts().onClose?.({ code: CLOSE_BROWSER_OFFLINE, reason, wasClean: false, byClient: true });
    }
    if (suspendTimer === undefined) show('offline');
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  void connect();

  const sendText = (ws: SocketLike, text: string) => {
    ws.send(text);
    opts().onFrame?.('out', text);
  };

  return {
    send(message) {
      const text = JSON.stringify(message);
      if (socket && socket.readyState === OPEN) {
        sendText(socket, text);
        return;
      }
      const max = opts().maxQueued ?? 100;
      const items = [...queue.items, text];
      queue.items = items.length > max ? items.slice(items.length - max) : items;
    },
    trySend(message) {
      if (!socket || socket.readyState !== OPEN) return false;
      sendText(socket, JSON.stringify(message));
      return true;
    },
    reconnectNow: tryNow,
    suspend,
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(retryTimer);
      endSuspension();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      const ws = socket;
      clearTimeout(stableTimer);
      clearTimeout(openTimer);
      clearInterval(pingTimer);
      clearTimeout(silenceTimer);
      socket = null;
      if (ws) detach(ws, NORMAL_CLOSURE, 'bye');
    },
  };
}
