/**
 * The socket of a window as a React hook: a thin adapter over {@link createSocketClient} (see
 * `socketClient.ts` for what the socket does). It starts the client while `enabled`, keeps the
 * latest options in a ref (new callbacks never reconnect) and turns the client's state into React
 * state. Sends made before the client runs are queued for its first open socket.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClientMessage } from './protocol';
import {
  CLOSED_STATE,
  createSocketClient,
  type SendQueue,
  type SocketClient,
  type SocketOptions,
  type SocketState,
  type SocketStatus,
} from './socketClient';

export {
  CLOSE_BROWSER_OFFLINE,
  CLOSE_NO_TRAFFIC,
  CLOSE_SIMULATED_DROP,
  DEFAULT_HEARTBEAT,
  DEFAULT_RECONNECT,
} from './socketClient';
export type {
  CloseInfo,
  ConnectContext,
  Heartbeat,
  ReconnectPolicy,
  SocketFactory,
  SocketLike,
  SocketStatus,
} from './socketClient';

export interface UseSocketOptions extends SocketOptions {
  enabled: boolean;
}

export interface SocketHandle {
  status: SocketStatus;
  /** Failed attempts in a row. */
  attempt: number;
  /** While `waiting`: when the next attempt starts (epoch ms). */
  nextAttemptAt: number | null;
  /** Sends now, or queues until the socket is open. */
  send: (message: ClientMessage) => void;
  /** Sends only if the socket is open now (for state that is sent again on every open anyway). */
  trySend: (message: ClientMessage) => boolean;
  /** Skips the wait (also the rest of a `suspend`) and tries now. */
  reconnectNow: () => void;
  /** Closes the socket now and stays away for `ms`, then reconnects. */
  suspend: (ms: number) => void;
}

export function useSocket(options: UseSocketOptions): SocketHandle {
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  });
  const [state, setState] = useState<SocketState>({ status: 'connecting', attempt: 0, nextAttemptAt: null });
  const queueRef = useRef<SendQueue>({ items: [] });
  const clientRef = useRef<SocketClient | null>(null);
  const enabled = options.enabled;

  useEffect(() => {
    if (!enabled) return;
    const client = createSocketClient(() => optionsRef.current, setState, queueRef.current);
    clientRef.current = client;
    return () => {
      client.dispose();
      if (clientRef.current === client) clientRef.current = null;
      // A later start begins as a fresh connection.
      setState({ status: 'connecting', attempt: 0, nextAttemptAt: null });
    };
  }, [enabled]);

  const send = useCallback((message: ClientMessage) => {
    const client = clientRef.current;
    if (client) {
      client.send(message);
      return;
    }
    const max = optionsRef.current.maxQueued ?? 100;
    queueRef.current.items = [...queueRef.current.items, JSON.stringify(message)].slice(-max);
  }, []);
  const trySend = useCallback((message: ClientMessage) => clientRef.current?.trySend(message) ?? false, []);
  const reconnectNow = useCallback(() => clientRef.current?.reconnectNow(), []);
  const suspend = useCallback((ms: number) => clientRef.current?.suspend(ms), []);

  return { ...(enabled ? state : CLOSED_STATE), send, trySend, reconnectNow, suspend };
}
