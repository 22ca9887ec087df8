/**
 * Who is signed in, in this window. The API client reads the token from here and asks for a new
 * session (same user) when the server says 401; several calls failing at once share one renewal.
 */
import type { Session } from '../api/types';
import { loadSession, saveSession } from './session';

export interface SessionStore {
  get(): Session | null;
  subscribe(listener: () => void): () => void;
  signIn(userId: string): Promise<Session>;
  /** Signs in again as the current user. */
  renew(): Promise<void>;
  signOut(): void;
}

export function createSessionStore(
  createSession: (userId: string) => Promise<Session>,
  storage: Storage | undefined,
): SessionStore {
  let session = loadSession(storage);
  let renewing: Promise<void> | null = null;
  const listeners = new Set<() => void>();

  const set = (next: Session | null) => {
    session = next;
    saveSession(storage, next);
    for (const listener of [...listeners]) listener();
  };

  return {
    get: () => session,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async signIn(userId) {
      const next = await createSession(userId);
      set(next);
      return next;
    },
    renew() {
      const current = session;
      if (!current) return Promise.reject(new Error('Not signed in'));
      renewing ??= createSession(current.userId)
        .then((next) => {
          if (session?.userId === current.userId) set(next);
        })
        .finally(() => {
          renewing = null;
        });
      return renewing;
    },
    signOut() {
      set(null);
    },
  };
}
