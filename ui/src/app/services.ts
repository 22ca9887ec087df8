/**
 * The long-lived, non-React parts of the app, made once per window: log, client retry policy,
 * HTTP client and API, and the session. Components reach them through {@link ServicesContext}.
 */
import { createContext, useContext } from 'react';
import { createApiClient } from '../api/client';
import { createApi, type Api } from '../api/endpoints';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../api/retryPolicy';
import { createLogStore, type LogStore } from '../log/logStore';
import { createSessionStore, type SessionStore } from '../session/sessionStore';

export interface PolicyStore {
  get(): RetryPolicy;
  set(policy: RetryPolicy): void;
  subscribe(listener: () => void): () => void;
}

export interface Services {
  log: LogStore;
  policy: PolicyStore;
  api: Api;
  session: SessionStore;
}

function createPolicyStore(initial: RetryPolicy): PolicyStore {
  let policy = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => policy,
    set(next) {
      policy = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function sessionStorageOrNothing(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function createServices(): Services {
  const log = createLogStore();
  const policy = createPolicyStore(DEFAULT_RETRY_POLICY);
  let session: SessionStore | null = null;
  const client = createApiClient({
    getPolicy: policy.get,
    getToken: () => session?.get()?.token ?? null,
    renewToken: () => session?.renew() ?? Promise.reject(new Error('Not signed in')),
    log: log.append,
  });
  const api = createApi(client);
  session = createSessionStore((userId) => api.createSession(userId), sessionStorageOrNothing());
  return { log, policy, api, session };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside of <ServicesContext>');
  return services;
}
