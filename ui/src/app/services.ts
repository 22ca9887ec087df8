/**
 * The long-lived, non-React parts of the app, made once per window: log, client retry policy,
 * pending-check delay, HTTP client and API, and the session. Components reach them through
 * {@link ServicesContext}.
 */
import { createContext, useContext } from 'react';
import { createApiClient } from '../api/client';
import { createApi, type Api } from '../api/endpoints';
import { createNetworkGate, type NetworkGateControl } from '../api/networkGate';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../api/retryPolicy';
import { DEFAULT_PENDING_CHECK_MS } from '../commands/pendingWatchdog';
import { createLogStore, type LogStore } from '../log/logStore';
import { createSessionStore, type SessionStore } from '../session/sessionStore';

/** One setting of this window that several parts read (retry policy, pending-check delay). */
export interface ValueStore<T> {
  get(): T;
  set(value: T): void;
  subscribe(listener: () => void): () => void;
}

export type PolicyStore = ValueStore<RetryPolicy>;

export interface Services {
  log: LogStore;
  policy: PolicyStore;
  /** How long an accepted command may go without outcome before its status is checked (ms). */
  pendingCheck: ValueStore<number>;
  api: Api;
  /** Whether commands can reach the server now (browser online, socket not lost). */
  network: NetworkGateControl;
  session: SessionStore;
}

export function createValueStore<T>(initial: T): ValueStore<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** This tab's sessionStorage, or nothing where the browser refuses it. */
export function sessionStorageOrNothing(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function createServices(): Services {
  const log = createLogStore();
  const policy = createValueStore(DEFAULT_RETRY_POLICY);
  const pendingCheck = createValueStore(DEFAULT_PENDING_CHECK_MS);
  let session: SessionStore | null = null;
  const client = createApiClient({
    getPolicy: policy.get,
    getToken: () => session?.get()?.token ?? null,
    renewToken: () => session?.renew() ?? Promise.reject(new Error('Not signed in')),
    log: log.append,
  });
  const network = createNetworkGate();
  const api = createApi(client, network);
  session = createSessionStore((userId) => api.createSession(userId), sessionStorageOrNothing());
  return { log, policy, pendingCheck, api, network, session };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside of <ServicesContext>');
  return services;
}
