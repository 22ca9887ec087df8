/** Demo sign-in: any user id the server accepts; the session lives in this window (tab) only. */
import type { Session } from '../api/types';
import { isObject, isString } from '../shared/validate';

export const USER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Why a user id cannot be used, or null when it can. */
export function userIdProblem(userId: string): string | null {
  if (userId.length === 0) return 'Enter a user name.';
  if (userId.length > 64) return 'At most 64 characters.';
  if (!USER_ID_PATTERN.test(userId)) return 'Letters, digits, dot, dash and underscore only.';
  return null;
}

/** The user asked for by `?user=bob`, if it is a valid id. */
export function userFromSearch(search: string): string | null {
  const user = new URLSearchParams(search).get('user')?.trim();
  return user && userIdProblem(user) === null ? user : null;
}

/** A link that opens the app signed in as `userId` (in a new window). */
export function windowUrlFor(userId: string): string {
  return `/?user=${encodeURIComponent(userId)}`;
}

const KEY = 'edf.session';

export function loadSession(storage: Storage | undefined): Session | null {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return null;
    const json: unknown = JSON.parse(raw);
    if (!isObject(json) || !isString(json.userId) || !isString(json.token)) return null;
    const expiresAt = isString(json.expiresAt) ? json.expiresAt : '';
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) return null;
    return { userId: json.userId, token: json.token, expiresAt };
  } catch {
    return null;
  }
}

export function saveSession(storage: Storage | undefined, session: Session | null): void {
  try {
    if (session) storage?.setItem(KEY, JSON.stringify(session));
    else storage?.removeItem(KEY);
  } catch {
    // Storage full or disabled: the session then lasts until the page is reloaded.
  }
}
