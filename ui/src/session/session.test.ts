import { describe, expect, it, vi } from 'vitest';
import { loadSession, saveSession, userFromSearch, userIdProblem, windowUrlFor } from './session';
import { createSessionStore } from './sessionStore';

describe('session', () => {
  it('accepts the ids the server accepts', () => {
    for (const ok of ['alice', 'Bob_2', 'a.b-c', 'x'.repeat(64)]) expect(userIdProblem(ok)).toBeNull();
    for (const bad of ['', 'x'.repeat(65), 'al ice', 'bob!', 'ä']) expect(userIdProblem(bad)).not.toBeNull();
  });

  it('reads ?user= for a second window and builds such links', () => {
    expect(userFromSearch('?user=bob')).toBe('bob');
    expect(userFromSearch('?user=b%20ob')).toBeNull();
    expect(userFromSearch('')).toBeNull();
    expect(windowUrlFor('bob')).toBe('/?user=bob');
  });

  it('keeps the session in the given storage and forgets an expired one', () => {
    const storage = window.sessionStorage;
    saveSession(storage, { userId: 'alice', token: 't', expiresAt: '2999-01-01T00:00:00.000Z' });
    expect(loadSession(storage)?.userId).toBe('alice');
    saveSession(storage, { userId: 'alice', token: 't', expiresAt: '2000-01-01T00:00:00.000Z' });
    expect(loadSession(storage)).toBeNull();
    storage.setItem('edf.session', '{broken');
    expect(loadSession(storage)).toBeNull();
    saveSession(storage, null);
  });

  it('renews once for many callers and keeps the user', async () => {
    const createSession = vi.fn(async (userId: string) => ({ userId, token: `t${createSession.mock.calls.length}`, expiresAt: '' }));
    const store = createSessionStore(createSession, undefined);
    await store.signIn('alice');
    await Promise.all([store.renew(), store.renew(), store.renew()]);
    expect(createSession).toHaveBeenCalledTimes(2);
    expect(store.get()).toEqual({ userId: 'alice', token: 't2', expiresAt: '' });
    store.signOut();
    await expect(store.renew()).rejects.toThrow('Not signed in');
  });
});
