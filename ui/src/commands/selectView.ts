/** What the list shows, derived from the reducer's state and the mode. */
import type { Todo } from '../api/types';
import {
  isApplied,
  isOpen,
  expectedVersionAfter,
  isUndecidedConflict,
  type CommandEntry,
  type Phase,
  type TodosState,
} from './commandReducer';

export type ItemStatus = 'idle' | Phase;

export interface RowView {
  id: string;
  /** The todo as the list shows it: the server's, with the commands applied that the mode applies. */
  todo: Todo;
  /** The phase of the latest command on this todo ("confirmed" stays until the next one). */
  status: ItemStatus;
  /** Some command of this window on it has no outcome yet. */
  pending: boolean;
  latest: CommandEntry | null;
  /** The latest command failed and its change was taken back from the list. */
  rolledBack: boolean;
  /** A create that failed after the list showed it: shown struck through until retried or discarded. */
  ghost: boolean;
  /** What the server has confirmed, if anything. */
  confirmed: Todo | null;
  /** The `expectedVersion` a command made now would carry: the version this row shows. */
  expectedVersion: number;
  /** Other users' commands on it, accepted and not applied yet. */
  othersPending: { commandId: string; by: string }[];
  /** The latest command failed with a conflict the user has not settled: both sides. */
  conflict: ConflictView | null;
  /** A delete held for Undo: when it will be sent (epoch ms); null when none. */
  heldUntil: number | null;
}

export interface ConflictView {
  /** The failed command: its kind and patch are "your change". */
  entry: CommandEntry;
  /** The todo as the server has it now (what the list shows). */
  theirs: Todo;
}

export interface TodosView {
  rows: RowView[];
  /** Creates that the list does not show (yet): waiting for the server, or failed before it showed them. */
  outbox: CommandEntry[];
  openCommands: number;
}

function fromCreate(entry: CommandEntry, userId: string): Todo {
  return {
    id: entry.entityId,
    text: entry.patch.text ?? entry.label,
    completed: entry.patch.completed ?? false,
    version: 0,
    updatedBy: userId,
    updatedAt: '',
  };
}

export function selectView(state: TodosState): TodosView {
  const byEntity = new Map<string, CommandEntry[]>();
  let openCommands = 0;
  for (const entry of Object.values(state.commands)) {
    if (entry.origin !== 'local') continue;
    const list = byEntity.get(entry.entityId);
    if (list) list.push(entry);
    else byEntity.set(entry.entityId, [entry]);
    if (isOpen(entry)) openCommands++;
  }

  const othersByEntity = new Map<string, { commandId: string; by: string }[]>();
  for (const [commandId, { entityId, by }] of Object.entries(state.othersPending)) {
    const list = othersByEntity.get(entityId);
    if (list) list.push({ commandId, by });
    else othersByEntity.set(entityId, [{ commandId, by }]);
  }

  const rows: RowView[] = [];
  const shown = new Set<string>();
  for (const id of state.order) {
    if (shown.has(id)) continue;
    const confirmed = state.server[id] ?? null;
    const entries = byEntity.get(id) ?? [];
    let todo: Todo | null = confirmed;
    let deleted = false;
    let pending = false;
    let lastCreate: CommandEntry | null = null;
    for (const entry of entries) {
      if (entry.kind === 'create') lastCreate = entry;
      if (isOpen(entry)) pending = true;
      if (!isApplied(entry, state.mode)) continue;
      if (entry.kind === 'create') {
        if (!todo) todo = fromCreate(entry, state.userId);
        deleted = false;
      } else if (entry.kind === 'update') {
        if (todo) todo = { ...todo, ...entry.patch };
      } else {
        deleted = true;
      }
    }
    const latestKey = state.latest[id];
    const candidate = latestKey !== undefined ? (state.commands[latestKey] ?? null) : null;
    // A failure the user discarded no longer speaks for the row.
    const latest = candidate && candidate.phase === 'failed' && candidate.dismissed ? null : candidate;
    let ghost = false;
    if (!todo || deleted) {
      const failedCreate =
        !todo && lastCreate && lastCreate.phase === 'failed' && lastCreate.rolledBack && !lastCreate.dismissed;
      if (!failedCreate || !lastCreate) continue;
      todo = fromCreate(lastCreate, state.userId);
      ghost = true;
    }
    shown.add(id);
    const theirs = confirmed ?? latest?.conflict?.theirs ?? null;
    rows.push({
      id,
      todo,
      status: latest ? latest.phase : 'idle',
      pending,
      latest,
      rolledBack: !!latest && latest.phase === 'failed' && latest.rolledBack,
      ghost,
      confirmed,
      expectedVersion: expectedVersionAfter(confirmed?.version ?? 0, entries),
      othersPending: othersByEntity.get(id) ?? [],
      conflict: latest && latest.origin === 'local' && isUndecidedConflict(latest) && theirs ? { entry: latest, theirs } : null,
      heldUntil: state.held[id] ?? null,
    });
  }

  const outbox = Object.values(state.commands).filter(
    (entry) =>
      entry.origin === 'local' &&
      entry.kind === 'create' &&
      !shown.has(entry.entityId) &&
      !state.server[entry.entityId] &&
      (isOpen(entry) || (entry.phase === 'failed' && !entry.dismissed)),
  );

  return { rows, outbox, openCommands };
}
