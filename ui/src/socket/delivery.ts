/**
 * Where this window stands in its user's numbered messages (docs/protocol.md, sections 3 and 4):
 * the `epoch` and the last `seq` it processed, kept in memory for this tab only.
 *
 * - Every reconnect passes them on the URL (`&epoch=E&lastSeq=N`), so the server replays what the
 *   window missed, in order, then says `resumed`.
 * - A personal message whose `seq` was already processed is a duplicate and is dropped.
 * - `resync` (the server cannot replay: history too old, or lost), a new `epoch` without one, or a
 *   hole in the numbering all mean the same: the window may have missed outcomes, so it refetches
 *   the list and asks for the status of its pending commands.
 *
 * No React and no timers here: `receive` tells the caller what to do with each message.
 */
import { isPersonal, type ServerMessage } from './protocol';

export interface Cursor {
  epoch: string;
  /** The last personal message processed. */
  seq: number;
}

export type Verdict =
  /** Hand it on. */
  | { kind: 'deliver' }
  /** Already processed (its `seq` is not above the cursor): drop it. */
  | { kind: 'duplicate'; seq: number; lastSeq: number }
  /** Hand it on (when `deliver`), and refetch: something may have been missed. */
  | { kind: 'resync'; why: string; deliver: boolean }
  /** The replay is over: `count` messages were missed and have now been processed. */
  | { kind: 'resumed'; from: number; to: number; count: number }
  /** A fresh connection: numbering starts after `seq`. */
  | { kind: 'welcome'; epoch: string; seq: number };

export interface DeliveryTracker {
  cursor(): Cursor | null;
  /** This window's id on the server, from the latest welcome/resumed/resync. */
  windowId(): string | null;
  receive(message: ServerMessage): Verdict;
}

/** `initial`: where a reloaded window stood (its next connection resumes from there). */
export function createDeliveryTracker(initial: Cursor | null = null): DeliveryTracker {
  let cursor: Cursor | null = initial;
  let windowId: string | null = null;

  const rememberWindow = (message: { windowId?: string }) => {
    if (message.windowId) windowId = message.windowId;
  };

  return {
    cursor: () => cursor,
    windowId: () => windowId,
    receive(message) {
      switch (message.type) {
        case 'welcome': {
          rememberWindow(message);
          const previous = cursor;
          cursor = { epoch: message.epoch, seq: message.seq };
          // A fresh connection of a window that had a cursor (it should have resumed) cannot know
          // what it missed in between.
          if (previous && (previous.epoch !== message.epoch || previous.seq !== message.seq)) {
            return { kind: 'resync', why: `welcome at seq ${message.seq} after ${previous.seq}`, deliver: false };
          }
          return { kind: 'welcome', epoch: message.epoch, seq: message.seq };
        }
        case 'resumed': {
          rememberWindow(message);
          return { kind: 'resumed', from: message.from, to: message.to, count: Math.max(0, message.to - message.from + 1) };
        }
        case 'resync': {
          rememberWindow(message);
          const previous = cursor;
          cursor = { epoch: message.epoch, seq: message.seq };
          const why =
            previous === null
              ? `the server starts this window at seq ${message.seq}`
              : previous.epoch !== message.epoch
                ? `new epoch ${message.epoch} (history lost)`
                : `cannot replay after seq ${previous.seq} (now ${message.seq})`;
          return { kind: 'resync', why, deliver: false };
        }
        default:
          break;
      }
      if (!isPersonal(message) || message.seq === undefined) return { kind: 'deliver' };
      const seq = message.seq;
      const epoch = message.epoch;
      if (cursor === null) {
        if (epoch !== undefined) cursor = { epoch, seq };
        return { kind: 'deliver' };
      }
      if (epoch !== undefined && epoch !== cursor.epoch) {
        // The server should have sent `resync` first; act as if it had.
        const why = `new epoch ${epoch} without resync`;
        cursor = { epoch, seq };
        return { kind: 'resync', why, deliver: true };
      }
      if (seq <= cursor.seq) return { kind: 'duplicate', seq, lastSeq: cursor.seq };
      const expected = cursor.seq + 1;
      cursor = { epoch: cursor.epoch, seq };
      if (seq > expected) {
        return { kind: 'resync', why: `seq ${seq} after ${expected - 1}: ${seq - expected} missing`, deliver: true };
      }
      return { kind: 'deliver' };
    },
  };
}

/** `/ws?ticket=T`, plus `&epoch=E&lastSeq=N` when the window has a cursor to resume from. */
export function socketUrl(
  ticket: string,
  cursor: Cursor | null,
  location: Pick<Location, 'protocol' | 'host'> = window.location,
): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const resume = cursor ? `&epoch=${encodeURIComponent(cursor.epoch)}&lastSeq=${cursor.seq}` : '';
  return `${scheme}://${location.host}/ws?ticket=${encodeURIComponent(ticket)}${resume}`;
}
