/**
 * Who is here: every present window (of every user, this one included) with the todo it looks at
 * and the field it is in, as the server pushes it on the `todos` topic (`presence.snapshot` right
 * after subscribing, then `presence.changed` and `presence.left`). A pure reducer and selectors.
 *
 * The picture is only true while this window is subscribed: it is reset when the socket closes
 * (no ghosts while offline) and replaced by the next snapshot.
 */
import type { PresenceField, PresenceWindow, ServerMessage } from '../socket/protocol';

export interface PresenceState {
  /** Present windows by windowId. */
  windows: Record<string, PresenceWindow>;
  /** Whether a snapshot arrived since the last reset: before that, nobody is known to be here. */
  known: boolean;
}

export type PresenceAction = { type: 'message'; message: ServerMessage } | { type: 'reset' };

export const initialPresence: PresenceState = { windows: {}, known: false };

export function presenceReducer(state: PresenceState, action: PresenceAction): PresenceState {
  if (action.type === 'reset') return state.known || Object.keys(state.windows).length ? initialPresence : state;
  const message = action.message;
  switch (message.type) {
    case 'presence.snapshot': {
      const windows: Record<string, PresenceWindow> = {};
      for (const w of message.windows) windows[w.windowId] = w;
      return { windows, known: true };
    }
    case 'presence.changed': {
      const next: PresenceWindow = {
        windowId: message.windowId,
        userId: message.userId,
        entityId: message.entityId,
        field: message.field,
      };
      const known = state.windows[next.windowId];
      if (known && sameWindow(known, next)) return state;
      return { ...state, windows: { ...state.windows, [next.windowId]: next } };
    }
    case 'presence.left': {
      if (!state.windows[message.windowId]) return state;
      const { [message.windowId]: _left, ...windows } = state.windows;
      return { ...state, windows };
    }
    default:
      return state;
  }
}

function sameWindow(a: PresenceWindow, b: PresenceWindow): boolean {
  return a.userId === b.userId && a.entityId === b.entityId && a.field === b.field;
}

export interface OnlineUser {
  userId: string;
  windows: number;
  /** The signed-in user of this window. */
  me: boolean;
}

/** Users online with how many windows each: this user first, then by name. */
export function onlineUsers(state: PresenceState, me: string): OnlineUser[] {
  const counts = new Map<string, number>();
  for (const w of Object.values(state.windows)) counts.set(w.userId, (counts.get(w.userId) ?? 0) + 1);
  return [...counts.entries()]
    .map(([userId, windows]) => ({ userId, windows, me: userId === me }))
    .sort((a, b) => (a.me !== b.me ? (a.me ? -1 : 1) : a.userId.localeCompare(b.userId)));
}

export interface TodoPresence {
  /** Other users looking at the todo (in any field or none), once each, by name. */
  viewers: string[];
  /** Other users in a field of the todo, once per user and field. */
  editors: { userId: string; field: PresenceField }[];
}

/**
 * What to show on each todo: other users only. This user's own windows (this one and any other)
 * never mark a todo: you know where you are.
 */
export function presenceByTodo(state: PresenceState, me: string): Map<string, TodoPresence> {
  const out = new Map<string, TodoPresence>();
  const windows = Object.values(state.windows)
    .filter((w) => w.userId !== me && w.entityId !== null)
    .sort((a, b) => a.userId.localeCompare(b.userId));
  for (const w of windows) {
    const entityId = w.entityId!;
    let entry = out.get(entityId);
    if (!entry) {
      entry = { viewers: [], editors: [] };
      out.set(entityId, entry);
    }
    if (!entry.viewers.includes(w.userId)) entry.viewers.push(w.userId);
    if (w.field && !entry.editors.some((e) => e.userId === w.userId && e.field === w.field)) {
      entry.editors.push({ userId: w.userId, field: w.field });
    }
  }
  return out;
}

/** "AL" for alice, "BO" for bob, "J." for j. */
export function initials(userId: string): string {
  const parts = userId.split(/[._-]+/).filter(Boolean);
  if (parts.length >= 2) return (parts[0]![0]! + parts[1]![0]!).toUpperCase();
  return userId.slice(0, 2).toUpperCase();
}
