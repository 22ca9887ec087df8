/**
 * The reload-safe outbox of a window (tab): the commands of this window that have no outcome yet
 * (or failed and wait for the user's decision), and the delivery cursor (`epoch`, `lastSeq`), kept
 * together in sessionStorage, so that a reload
 *
 * - still shows them,
 * - sends again, with the same Idempotency-Key and body, those that never got their 202 (the
 *   server answers a key it knows with the same 202, so nothing runs twice),
 * - resumes the socket from the stored cursor (`/ws?...&epoch=E&lastSeq=N`): the outcomes that
 *   arrived while the page was away are replayed, and those processed before the reload are not
 *   (they are at or below `lastSeq`), so every outcome is applied exactly once.
 *
 * The cursor is part of the reducer's state (it moves with the messages it processed), so one
 * snapshot of that state is always consistent: the commands it lists as open have not had their
 * outcomes applied, and those outcomes come after its `lastSeq`.
 *
 * Plain TypeScript, no React; `storage` is sessionStorage in the browser.
 */
import type { TodoPatch } from '../api/types';
import type { Cursor } from '../socket/delivery';
import { isFiniteNumber, isObject, isString, readCommandError } from '../shared/validate';
import { isOpen, needsDecision, newEntry, type CommandEntry, type TodosState } from './commandReducer';
import type { CommandRequest } from './commandRunner';

/** One command as stored: what is needed to show it and to send it again. */
export interface StoredCommand {
  key: string;
  kind: CommandEntry['kind'];
  entityId: string;
  patch: TodoPatch;
  label: string;
  expectedVersion: number | null;
  /** Null: it never got its 202. */
  commandId: string | null;
  phase: 'sending' | 'retrying' | 'accepted' | 'failed';
  error: CommandEntry['error'];
  issuedAt: number;
  acceptedAt: number | null;
}

export interface OutboxSnapshot {
  cursor: Cursor | null;
  commands: StoredCommand[];
}

export const EMPTY_SNAPSHOT: OutboxSnapshot = { cursor: null, commands: [] };

export interface OutboxStore {
  load(): OutboxSnapshot;
  save(snapshot: OutboxSnapshot): void;
  clear(): void;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const storageKey = (userId: string) => `edf.outbox.${userId}`;
const FORMAT = 1;

/** Keeps one user's outbox in `storage` (sessionStorage: per tab, survives reloads). */
export function createOutboxStore(storage: StorageLike | undefined, userId: string): OutboxStore {
  const key = storageKey(userId);
  return {
    load() {
      try {
        const text = storage?.getItem(key);
        return text ? readSnapshot(JSON.parse(text)) : EMPTY_SNAPSHOT;
      } catch {
        return EMPTY_SNAPSHOT;
      }
    },
    save(snapshot) {
      try {
        if (snapshot.cursor === null && snapshot.commands.length === 0) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify({ format: FORMAT, ...snapshot }));
      } catch {
        // storage full or refused: the window still works, a reload just forgets more
      }
    },
    clear() {
      try {
        storage?.removeItem(key);
      } catch {
        // nothing to do
      }
    },
  };
}

/** What of the state a reload must not lose. */
export function snapshotOf(state: Pick<TodosState, 'commands' | 'cursor'>): OutboxSnapshot {
  const commands: StoredCommand[] = [];
  for (const entry of Object.values(state.commands)) {
    if (entry.origin !== 'local' || !(isOpen(entry) || needsDecision(entry))) continue;
    commands.push({
      key: entry.key,
      kind: entry.kind,
      entityId: entry.entityId,
      patch: entry.patch,
      label: entry.label,
      expectedVersion: entry.expectedVersion,
      commandId: entry.commandId,
      phase: entry.phase === 'confirmed' ? 'accepted' : entry.phase,
      error: entry.error,
      issuedAt: entry.issuedAt,
      acceptedAt: entry.acceptedAt,
    });
  }
  return { cursor: state.cursor, commands };
}

/** The state of a fresh window with the stored commands and cursor put back. */
export function restoreOutbox(state: TodosState, snapshot: OutboxSnapshot): TodosState {
  if (snapshot.commands.length === 0 && snapshot.cursor === null) return state;
  const commands = { ...state.commands };
  const latest = { ...state.latest };
  const byCommandId = { ...state.byCommandId };
  const order = [...state.order];
  for (const stored of snapshot.commands) {
    const entry = newEntry({
      key: stored.key,
      kind: stored.kind,
      entityId: stored.entityId,
      patch: stored.patch,
      label: stored.label,
      expectedVersion: stored.expectedVersion,
      commandId: stored.commandId,
      // Never answered: it is sent again (as attempt 1 of this page).
      phase: stored.phase === 'failed' ? 'failed' : stored.commandId !== null ? 'accepted' : 'sending',
      error: stored.error,
      issuedAt: stored.issuedAt,
      acceptedAt: stored.acceptedAt,
      settledAt: stored.phase === 'failed' ? stored.issuedAt : null,
    });
    commands[entry.key] = entry;
    latest[entry.entityId] = entry.key;
    if (entry.commandId !== null) byCommandId[entry.commandId] = entry.key;
    if (!order.includes(entry.entityId)) order.push(entry.entityId);
  }
  return { ...state, commands, latest, byCommandId, order, cursor: snapshot.cursor };
}

/** The restored commands that never got their 202: to be sent again with their own keys. */
export function unacknowledged(state: TodosState): { key: string; request: CommandRequest }[] {
  return Object.values(state.commands)
    .filter((e) => e.origin === 'local' && (e.phase === 'sending' || e.phase === 'retrying') && e.commandId === null)
    .map((e) => ({ key: e.key, request: requestOf(e, e.expectedVersion ?? undefined) }));
}

/** The same command again, from what its entry remembers. */
export function requestOf(entry: Pick<CommandEntry, 'kind' | 'entityId' | 'patch' | 'label'>, expectedVersion: number | undefined): CommandRequest {
  const version = expectedVersion !== undefined ? { expectedVersion } : {};
  switch (entry.kind) {
    case 'create':
      return { kind: 'create', entityId: entry.entityId, text: entry.patch.text ?? entry.label };
    case 'update':
      return { kind: 'update', entityId: entry.entityId, patch: entry.patch, label: entry.label, ...version };
    case 'delete':
      return { kind: 'delete', entityId: entry.entityId, label: entry.label, ...version };
  }
}

const KINDS = ['create', 'update', 'delete'] as const;
const PHASES = ['sending', 'retrying', 'accepted', 'failed'] as const;

/** Reads what storage held; anything it cannot read is left out. */
export function readSnapshot(value: unknown): OutboxSnapshot {
  if (!isObject(value) || value.format !== FORMAT) return EMPTY_SNAPSHOT;
  const cursor =
    isObject(value.cursor) && isString(value.cursor.epoch) && isFiniteNumber(value.cursor.seq)
      ? { epoch: value.cursor.epoch, seq: value.cursor.seq }
      : null;
  const commands: StoredCommand[] = [];
  for (const item of Array.isArray(value.commands) ? value.commands : []) {
    if (!isObject(item) || !isString(item.key) || !isString(item.entityId) || !isString(item.label)) continue;
    const kind = KINDS.find((k) => k === item.kind);
    const phase = PHASES.find((p) => p === item.phase);
    if (!kind || !phase || !isObject(item.patch)) continue;
    const patch: TodoPatch = {};
    if (isString(item.patch.text)) patch.text = item.patch.text;
    if (typeof item.patch.completed === 'boolean') patch.completed = item.patch.completed;
    commands.push({
      key: item.key,
      kind,
      entityId: item.entityId,
      patch,
      label: item.label,
      expectedVersion: isFiniteNumber(item.expectedVersion) ? item.expectedVersion : null,
      commandId: isString(item.commandId) ? item.commandId : null,
      phase,
      error: readCommandError(item.error),
      issuedAt: isFiniteNumber(item.issuedAt) ? item.issuedAt : 0,
      acceptedAt: isFiniteNumber(item.acceptedAt) ? item.acceptedAt : null,
    });
  }
  return { cursor, commands };
}
