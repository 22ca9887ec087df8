/**
 * Whether the network is there for commands: the browser says it is online, and the window's
 * socket (once it has been open) is not lost. While it is not, command retries wait here
 * ("Waiting for network") instead of spending their attempts, and go on once it is back.
 *
 * Plain TypeScript; the socket's state is fed in by the connection (`setSocketUp`).
 */

export interface NetworkGate {
  isUp(): boolean;
  /** Resolves at once when up, else when it comes back; rejects when `signal` fires first. */
  whenUp(signal?: AbortSignal): Promise<void>;
  /** Hears every change; returns the way to stop. */
  subscribe(listener: (up: boolean) => void): () => void;
}

export interface NetworkGateControl extends NetworkGate {
  /** The window's socket opened (true) or was lost (false). */
  setSocketUp(up: boolean): void;
  /** Stops listening to the browser. */
  dispose(): void;
}

export interface NetworkEnv {
  /** Where `online`/`offline` events arrive (the window). */
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  isOnline: () => boolean;
}

function browserEnv(): NetworkEnv | null {
  if (typeof window === 'undefined') return null;
  return { target: window, isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false };
}

/** A gate that is always up: for calls that must not wait (sign-in, tickets) and for tests. */
export const ALWAYS_UP: NetworkGate = {
  isUp: () => true,
  whenUp: (signal) => (signal?.aborted ? Promise.reject(abortError()) : Promise.resolve()),
  subscribe: () => () => {},
};

function abortError(): DOMException {
  return new DOMException('The request was cancelled', 'AbortError');
}

export function createNetworkGate(env: NetworkEnv | null = browserEnv()): NetworkGateControl {
  let online = env?.isOnline() ?? true;
  let socketUp = true;
  const listeners = new Set<(up: boolean) => void>();
  const isUp = () => online && socketUp;

  const update = (change: () => void) => {
    const before = isUp();
    change();
    const after = isUp();
    if (before !== after) for (const listener of [...listeners]) listener(after);
  };
  const onOnline = () => update(() => (online = true));
  const onOffline = () => update(() => (online = false));
  env?.target.addEventListener('online', onOnline);
  env?.target.addEventListener('offline', onOffline);

  const subscribe = (listener: (up: boolean) => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };

  return {
    isUp,
    subscribe,
    whenUp(signal) {
      if (signal?.aborted) return Promise.reject(abortError());
      if (isUp()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          stop();
          reject(abortError());
        };
        const stop = subscribe((up) => {
          if (!up) return;
          stop();
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    setSocketUp(up) {
      update(() => (socketUp = up));
    },
    dispose() {
      env?.target.removeEventListener('online', onOnline);
      env?.target.removeEventListener('offline', onOffline);
      listeners.clear();
    },
  };
}
