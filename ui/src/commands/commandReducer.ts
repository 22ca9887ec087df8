/**
 * The state of the todo list and of every command sent from this window, as a pure reducer.
 *
 * Two layers: `server` is what the server has confirmed (the list from GET /api/todos, then every
 * pushed change and outcome); `commands` are this window's commands with their life
 * (sending → retrying → accepted → confirmed | failed). What the list shows is derived from both
 * by `selectView`, depending on the mode, so a rollback is nothing but a command that stops being
 * applied. The reducer also queues the toasts (`notices`) that its events deserve.
 *
 * Collaboration lives here too: other users' commands still pending (`othersPending`, from
 * `todo.pending` until the matching `todo.changed` or `todo.failed`), and conflicts: a command
 * sent with a stale `expectedVersion` fails with `conflict`, and the entry keeps both sides until
 * the user keeps theirs (a new command) or takes the other one.
 */
import type { CommandError, Todo, TodoPatch } from '../api/types';
import type { Mode } from '../modes/modes';
import type { Focus } from '../collab/presenceSender';
import type { Cursor } from '../socket/delivery';
import type { CommandOutcome, ServerMessage, TodoChanged } from '../socket/protocol';
import { describeChange, describeCommand, pastTense, reason, type CommandKind, type Notice } from './notices';

export type Phase = 'sending' | 'retrying' | 'accepted' | 'confirmed' | 'failed';

export interface CommandEntry {
  /** The Idempotency-Key: the command's identity in this window, from the first click on. */
  key: string;
  kind: CommandKind;
  entityId: string;
  /** What the command changes: the text of a create, the fields of an update, nothing for a delete. */
  patch: TodoPatch;
  /** The todo's text when the command was issued, for the toasts. */
  label: string;
  /** The version the user saw (sent as `expectedVersion`); null for a create. */
  expectedVersion: number | null;
  /** From the 202: the user's last issued `seq` at acceptance; the outcome comes with a larger one. */
  userSeq: number | null;
  /** `other-window`: an outcome of this user's command sent from another window. */
  origin: 'local' | 'other-window';
  phase: Phase;
  /** The attempt in flight, or the next one while waiting to retry. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while waiting to retry. */
  nextAttemptAt: number | null;
  /** Why the previous attempt failed, while retrying. */
  retryReason: string | null;
  /** The next attempt waits for the network (offline, or the socket is lost): no attempt is spent. */
  waitingForNetwork: boolean;
  commandId: string | null;
  error: CommandError | null;
  /** The failure undid a change the list was already showing. */
  rolledBack: boolean;
  /** A failed create no longer shown (its row or outbox line has faded out). */
  dismissed: boolean;
  /** Failed with `conflict`: the todo as the server had it then (null if it did not say). */
  conflict: { theirs: Todo | null } | null;
  /** How the user settled the conflict; null while undecided. */
  resolution: 'mine' | 'theirs' | null;
  issuedAt: number;
  acceptedAt: number | null;
  settledAt: number | null;
}

export interface TodosState {
  userId: string;
  mode: Mode;
  /** The confirmed todos by id. */
  server: Record<string, Todo>;
  /** Display order of ids; may hold ids that currently show nothing. */
  order: string[];
  list: 'loading' | 'ready' | 'error';
  listError: string | null;
  /** While a list request is in flight: ids that pushes changed since, which its answer must not undo. */
  touchedSinceFetch: string[] | null;
  /** Commands by key, in the order they were issued. */
  commands: Record<string, CommandEntry>;
  /** The latest command on each todo: its phase is what the item shows. */
  latest: Record<string, string>;
  /** commandId → key, also for commands already forgotten (to ignore duplicates). */
  byCommandId: Record<string, string>;
  /** Outcomes that arrived before the 202 of a command still being sent on the same todo. */
  early: Record<string, CommandOutcome>;
  /** Other users' commands accepted and not applied yet, by commandId. */
  othersPending: Record<string, { entityId: string; by: string }>;
  /**
   * Where the window stands in its user's numbered messages, as of the messages this state has
   * processed: stored with the open commands, it makes a reload resume exactly where they stand.
   */
  cursor: Cursor | null;
  /** Deletes the user can still undo, by todo: when they will be sent. */
  held: Record<string, number>;
  /** Toasts to show. */
  notices: Notice[];
}

export type TodosAction =
  | { type: 'mode/changed'; mode: Mode }
  | { type: 'list/requested' }
  | { type: 'list/loaded'; todos: Todo[] }
  | { type: 'list/failed'; message: string }
  | {
      type: 'command/issued';
      key: string;
      kind: CommandKind;
      entityId: string;
      patch: TodoPatch;
      label: string;
      at: number;
      expectedVersion?: number;
    }
  | { type: 'command/attempt'; key: string; attempt: number }
  | { type: 'command/retrying'; key: string; nextAttempt: number; nextAttemptAt: number; reason: string }
  | { type: 'command/waiting'; key: string; attempt: number }
  | { type: 'command/accepted'; key: string; commandId: string; at: number; userSeq?: number }
  | { type: 'command/rejected'; key: string; error: CommandError; at: number }
  /** `watching`: the todo (and field) this window is on, for the wording of others' changes. */
  | { type: 'message'; message: ServerMessage; at: number; watching?: Focus | null }
  /** The user let a failed command go: its row or outbox line shows it no more. */
  | { type: 'command/dismissed'; key: string }
  /** Retry of a failed command that never got its 202: sent again with the same Idempotency-Key. */
  | { type: 'command/retried'; key: string; at: number }
  /** The delivery cursor after the messages dispatched so far. */
  | { type: 'cursor'; cursor: Cursor | null }
  /** A delete waits this long for an Undo before it is sent. */
  | { type: 'delete/held'; entityId: string; until: number }
  /** Undone, or sent: the delete is no longer held. */
  | { type: 'delete/released'; entityId: string }
  | { type: 'conflict/resolved'; key: string; choice: 'mine' | 'theirs' }
  /** Subscribed (again): pending marks of others from before may have been settled meanwhile. */
  | { type: 'others/reset' }
  | { type: 'notices/shown'; ids: string[] };

/** Settled commands kept beyond the latest one per todo, and commandIds remembered for dedupe. */
const MAX_SETTLED = 200;
const MAX_COMMAND_IDS = 2000;
const MAX_EARLY = 200;
const MAX_OTHERS_PENDING = 500;

/** A command as the user issues it: sending, first attempt, nothing known yet. */
export function newEntry(
  fields: Pick<CommandEntry, 'key' | 'kind' | 'entityId' | 'patch' | 'label'> & Partial<CommandEntry>,
): CommandEntry {
  return {
    expectedVersion: null,
    userSeq: null,
    origin: 'local',
    phase: 'sending',
    attempt: 1,
    nextAttemptAt: null,
    retryReason: null,
    waitingForNetwork: false,
    commandId: null,
    error: null,
    rolledBack: false,
    dismissed: false,
    conflict: null,
    resolution: null,
    issuedAt: 0,
    acceptedAt: null,
    settledAt: null,
    ...fields,
  };
}

export function initialTodosState(userId: string, mode: Mode): TodosState {
  return {
    userId,
    mode,
    server: {},
    order: [],
    list: 'loading',
    listError: null,
    touchedSinceFetch: null,
    commands: {},
    latest: {},
    byCommandId: {},
    early: {},
    othersPending: {},
    cursor: null,
    held: {},
    notices: [],
  };
}

export function isOpen(entry: CommandEntry): boolean {
  return entry.phase === 'sending' || entry.phase === 'retrying' || entry.phase === 'accepted';
}

/** Still waiting for its 202: the server's commandId is not known yet. */
export function isUnacknowledged(entry: CommandEntry): boolean {
  return entry.phase === 'sending' || entry.phase === 'retrying';
}

/** Failed before any 202: the server may or may not have it, so a retry must reuse its key. */
export function canRetryInPlace(entry: CommandEntry): boolean {
  return entry.origin === 'local' && entry.phase === 'failed' && entry.commandId === null;
}

/** A failed command of this window the user has not retried, discarded or settled yet. */
export function needsDecision(entry: CommandEntry): boolean {
  return entry.origin === 'local' && entry.phase === 'failed' && !entry.dismissed && entry.conflict === null;
}

/**
 * Whether a new command of this kind on this todo would only repeat one still open (a second
 * press on Delete, or on the checkbox, while the first one is on its way): such presses are ignored.
 */
export function repeatsOpenCommand(state: TodosState, entityId: string, kind: 'toggle' | 'delete'): boolean {
  if (kind === 'delete' && entityId in state.held) return true;
  return Object.values(state.commands).some(
    (e) =>
      e.origin === 'local' &&
      e.entityId === entityId &&
      isOpen(e) &&
      (kind === 'delete' ? e.kind === 'delete' : e.kind === 'update' && e.patch.completed !== undefined),
  );
}

/** Failed with a conflict the user has not settled yet. */
export function isUndecidedConflict(entry: CommandEntry): boolean {
  return entry.phase === 'failed' && entry.conflict !== null && entry.resolution === null;
}

/**
 * The `expectedVersion` for a new command on a todo: the version the list shows. That is the
 * confirmed version, or, while this window's own commands on it are open, the version the latest
 * of them will produce (so quick changes in a row do not conflict with each other).
 */
export function nextExpectedVersion(state: TodosState, entityId: string): number {
  const entries = Object.values(state.commands).filter((e) => e.entityId === entityId);
  return expectedVersionAfter(state.server[entityId]?.version ?? 0, entries);
}

/** The same, from the confirmed version and the todo's commands in the order they were issued. */
export function expectedVersionAfter(confirmedVersion: number, entries: readonly CommandEntry[]): number {
  let version = confirmedVersion;
  for (const entry of entries) {
    if (entry.origin !== 'local' || !isOpen(entry)) continue;
    if (entry.kind === 'create') version = Math.max(version, 1);
    else if (entry.kind === 'update') {
      version = entry.expectedVersion !== null ? Math.max(version, entry.expectedVersion + 1) : version + 1;
    }
  }
  return version;
}

/** Whether the list shows this command's change before the server confirmed it. */
export function isApplied(entry: CommandEntry, mode: Mode): boolean {
  if (!isOpen(entry)) return false;
  if (mode === 'brave') return true;
  if (mode === 'optimistic') return entry.phase === 'accepted';
  return false;
}

export function todosReducer(state: TodosState, action: TodosAction): TodosState {
  switch (action.type) {
    case 'mode/changed':
      return state.mode === action.mode ? state : { ...state, mode: action.mode };

    case 'list/requested':
      return { ...state, list: state.list === 'ready' ? 'ready' : 'loading', listError: null, touchedSinceFetch: [] };

    case 'list/loaded':
      return onListLoaded(state, action.todos);

    case 'list/failed':
      return {
        ...state,
        list: state.list === 'ready' ? 'ready' : 'error',
        listError: action.message,
        touchedSinceFetch: null,
      };

    case 'command/issued': {
      const entry = newEntry({
        key: action.key,
        kind: action.kind,
        entityId: action.entityId,
        patch: action.patch,
        label: action.label,
        expectedVersion: action.expectedVersion ?? null,
        issuedAt: action.at,
      });
      return {
        ...state,
        commands: { ...state.commands, [entry.key]: entry },
        latest: { ...state.latest, [entry.entityId]: entry.key },
        order: state.order.includes(entry.entityId) ? state.order : [...state.order, entry.entityId],
      };
    }

    case 'command/attempt':
      return updateEntry(state, action.key, (entry) =>
        isUnacknowledged(entry)
          ? {
              ...entry,
              attempt: action.attempt,
              phase: action.attempt > 1 ? 'retrying' : 'sending',
              nextAttemptAt: null,
              waitingForNetwork: false,
            }
          : entry,
      );

    case 'command/waiting':
      return updateEntry(state, action.key, (entry) =>
        isUnacknowledged(entry) ? { ...entry, attempt: action.attempt, nextAttemptAt: null, waitingForNetwork: true } : entry,
      );

    case 'command/retrying':
      return updateEntry(state, action.key, (entry) =>
        isUnacknowledged(entry)
          ? {
              ...entry,
              phase: 'retrying',
              attempt: action.nextAttempt,
              nextAttemptAt: action.nextAttemptAt,
              retryReason: action.reason,
              waitingForNetwork: false,
            }
          : entry,
      );

    case 'command/accepted':
      return onAccepted(state, action.key, action.commandId, action.at, action.userSeq);

    case 'command/rejected': {
      const entry = state.commands[action.key];
      if (!entry || !isUnacknowledged(entry)) return state;
      const rolledBack = isApplied(entry, state.mode);
      const failed: CommandEntry = {
        ...entry,
        phase: 'failed',
        error: action.error,
        rolledBack,
        nextAttemptAt: null,
        waitingForNetwork: false,
        settledAt: action.at,
      };
      const next = withNotice(putEntry(state, failed), {
        id: `failed:${entry.key}`,
        kind: 'error',
        text: failureText(failed),
      });
      return compact(flushEarly(next, entry.entityId, action.at));
    }

    case 'message':
      return onMessage(state, action.message, action.at, action.watching ?? null);

    case 'command/dismissed':
      return compact(updateEntry(state, action.key, (entry) => (entry.phase === 'failed' ? { ...entry, dismissed: true } : entry)));

    case 'command/retried': {
      const entry = state.commands[action.key];
      if (!entry || !canRetryInPlace(entry)) return state;
      const again: CommandEntry = {
        ...entry,
        phase: 'sending',
        attempt: 1,
        nextAttemptAt: null,
        retryReason: null,
        waitingForNetwork: false,
        error: null,
        rolledBack: false,
        dismissed: false,
        settledAt: null,
        issuedAt: action.at,
      };
      const next = putEntry(state, again);
      return {
        ...next,
        latest: { ...next.latest, [entry.entityId]: entry.key },
        order: next.order.includes(entry.entityId) ? next.order : [...next.order, entry.entityId],
      };
    }

    case 'cursor': {
      const c = action.cursor;
      if (c === state.cursor || (c && state.cursor && c.epoch === state.cursor.epoch && c.seq === state.cursor.seq)) return state;
      return { ...state, cursor: c };
    }

    case 'delete/held':
      return { ...state, held: { ...state.held, [action.entityId]: action.until } };

    case 'delete/released': {
      if (!(action.entityId in state.held)) return state;
      const { [action.entityId]: _released, ...held } = state.held;
      return { ...state, held };
    }

    case 'conflict/resolved':
      return updateEntry(state, action.key, (entry) =>
        isUndecidedConflict(entry) ? { ...entry, resolution: action.choice } : entry,
      );

    case 'others/reset':
      return Object.keys(state.othersPending).length === 0 ? state : { ...state, othersPending: {} };

    case 'notices/shown': {
      if (action.ids.length === 0) return state;
      const shown = new Set(action.ids);
      return { ...state, notices: state.notices.filter((n) => !shown.has(n.id)) };
    }
  }
}

function onMessage(state: TodosState, message: ServerMessage, at: number, watching: Focus | null): TodosState {
  switch (message.type) {
    case 'command.succeeded':
    case 'command.failed':
      return onOutcome(state, message, at);
    case 'todo.changed':
      return compact(onChanged(withoutSettledOthers(state, message.commandId, message.entityId), message, watching));
    case 'todo.pending':
      if (message.by === state.userId || state.othersPending[message.commandId]) return state;
      return {
        ...state,
        othersPending: trimRecord(
          { ...state.othersPending, [message.commandId]: { entityId: message.entityId, by: message.by } },
          MAX_OTHERS_PENDING,
        ),
      };
    case 'todo.failed':
      return withoutOthersPending(state, message.commandId);
    default:
      return state;
  }
}

/**
 * A todo's commands are applied in the order they were accepted: its change by `commandId` settles
 * that command and every other user's command on the same todo marked pending before it (a slow
 * socket gets only the latest `todo.changed` of a todo, so the earlier ones' changes may never come).
 * The marks are kept in the order their `todo.pending` came.
 */
function withoutSettledOthers(state: TodosState, commandId: string, entityId: string): TodosState {
  const keys = Object.keys(state.othersPending);
  const upTo = keys.indexOf(commandId);
  if (upTo < 0) return state;
  const othersPending: TodosState['othersPending'] = {};
  keys.forEach((key, i) => {
    const mark = state.othersPending[key]!;
    if (i > upTo || mark.entityId !== entityId) othersPending[key] = mark;
  });
  return { ...state, othersPending };
}

function withoutOthersPending(state: TodosState, commandId: string): TodosState {
  if (!state.othersPending[commandId]) return state;
  const { [commandId]: _settled, ...othersPending } = state.othersPending;
  return { ...state, othersPending };
}

function onListLoaded(state: TodosState, todos: Todo[]): TodosState {
  const touched = new Set(state.touchedSinceFetch ?? []);
  const server: Record<string, Todo> = {};
  for (const todo of todos) if (!touched.has(todo.id)) server[todo.id] = todo;
  for (const id of touched) {
    const known = state.server[id];
    if (known) server[id] = known;
  }
  const fetchedOrder = todos.map((t) => t.id).filter((id) => server[id]);
  const known = new Set(state.order);
  const order = [...state.order, ...fetchedOrder.filter((id) => !known.has(id))];
  return compact({ ...state, server, order, list: 'ready', listError: null, touchedSinceFetch: null });
}

function onAccepted(state: TodosState, key: string, commandId: string, at: number, userSeq: number | undefined): TodosState {
  const entry = state.commands[key];
  if (!entry || !isUnacknowledged(entry)) return state;
  let next = putEntry(state, {
    ...entry,
    phase: 'accepted',
    commandId,
    acceptedAt: at,
    nextAttemptAt: null,
    waitingForNetwork: false,
    userSeq: userSeq ?? null,
  });
  next = rememberCommandId(next, commandId, key);

  const early = next.early[commandId];
  if (early) {
    const { [commandId]: _used, ...rest } = next.early;
    next = settle({ ...next, early: rest }, next.commands[key]!, early, at);
  }
  return compact(flushEarly(next, entry.entityId, at));
}

function onOutcome(state: TodosState, outcome: CommandOutcome, at: number): TodosState {
  const knownKey = state.byCommandId[outcome.commandId];
  if (knownKey !== undefined) {
    const entry = state.commands[knownKey];
    // A duplicate, or the outcome of a command forgotten long ago: nothing left to do.
    if (!entry || !isOpen(entry)) return state;
    return compact(settle(state, entry, outcome, at));
  }
  if (state.early[outcome.commandId]) return state;

  const waiting = Object.values(state.commands).some((e) => e.entityId === outcome.entityId && isUnacknowledged(e));
  if (waiting) {
    // Probably the outcome of a command whose 202 is still on its way (or was lost and is being
    // retried). Keep it until that 202 names it; the server's data is true either way.
    const early = trimRecord({ ...state.early, [outcome.commandId]: outcome }, MAX_EARLY);
    const applied = outcome.data ? applyServerTodo(state, outcome.data) : state;
    return { ...applied, early };
  }
  return compact(otherWindowOutcome(state, outcome, at));
}

/** The outcome of a command this user sent from another window (or of one this window gave up on). */
function otherWindowOutcome(state: TodosState, outcome: CommandOutcome, at: number): TodosState {
  const before = state.server[outcome.entityId];
  const previous = state.commands[state.latest[outcome.entityId] ?? ''];
  // This window gave up on a command whose response got lost, yet the server had accepted it.
  const gaveUp = previous?.origin === 'local' && previous.phase === 'failed' && previous.commandId === null;
  const label = outcome.data?.text ?? before?.text ?? previous?.label ?? 'a todo';
  const source = gaveUp ? 'after all' : '(from another window)';
  const key = `outcome:${outcome.commandId}`;
  const succeeded = outcome.type === 'command.succeeded';
  const entry: CommandEntry = {
    key,
    kind: succeeded && outcome.data === null ? 'delete' : before ? 'update' : 'create',
    entityId: outcome.entityId,
    patch: {},
    label,
    expectedVersion: null,
    userSeq: null,
    origin: 'other-window',
    phase: succeeded ? 'confirmed' : 'failed',
    attempt: 1,
    nextAttemptAt: null,
    retryReason: null,
    waitingForNetwork: false,
    commandId: outcome.commandId,
    error: outcome.type === 'command.failed' ? outcome.error : null,
    rolledBack: false,
    dismissed: true,
    conflict: null,
    resolution: null,
    issuedAt: at,
    acceptedAt: null,
    settledAt: at,
  };
  let next = applyOutcomeData(state, outcome);
  next = rememberCommandId(putEntry(next, entry), outcome.commandId, key);
  next = { ...next, latest: { ...next.latest, [outcome.entityId]: key } };
  const notice: Notice =
    outcome.type === 'command.succeeded'
      ? { id: `outcome:${outcome.commandId}`, kind: 'success', text: `Confirmed ${source}: ${quoteLabel(label)}` }
      : {
          id: `outcome:${outcome.commandId}`,
          kind: 'error',
          text: `Failed ${source}: ${quoteLabel(label)}: ${reason(outcome.error)}`,
        };
  return withNotice(next, notice);
}

function settle(state: TodosState, entry: CommandEntry, outcome: CommandOutcome, at: number): TodosState {
  const next = applyOutcomeData(state, outcome);
  if (outcome.type === 'command.succeeded') {
    const done: CommandEntry = { ...entry, phase: 'confirmed', settledAt: at, nextAttemptAt: null };
    return withNotice(putEntry(next, done), {
      id: `outcome:${outcome.commandId}`,
      kind: 'success',
      text: `Confirmed: ${pastTense(describeCommand(entry.kind, entry.label, entry.patch))}`,
    });
  }
  const conflict = outcome.error.code === 'conflict' && entry.kind !== 'create';
  const failed: CommandEntry = {
    ...entry,
    phase: 'failed',
    error: outcome.error,
    rolledBack: isApplied(entry, state.mode),
    settledAt: at,
    nextAttemptAt: null,
    conflict: conflict ? { theirs: outcome.data ?? next.server[entry.entityId] ?? null } : null,
  };
  const text = conflict ? conflictText(failed, next.server[entry.entityId] ?? outcome.data, state.userId) : failureText(failed);
  return withNotice(putEntry(next, failed), { id: `outcome:${outcome.commandId}`, kind: 'error', text });
}

/** "Conflict on 'Buy oat milk': bob changed it first. Keep yours or take theirs on the item." */
function conflictText(entry: CommandEntry, theirs: Todo | null, me: string): string {
  const who = !theirs?.updatedBy ? 'someone' : theirs.updatedBy === me ? 'you (elsewhere)' : theirs.updatedBy;
  return `Conflict on ${quoteLabel(theirs?.text ?? entry.label)}: ${who} changed it first. Keep yours or take theirs on the item.`;
}

function failureText(entry: CommandEntry): string {
  const what = describeCommand(entry.kind, entry.label, entry.patch);
  const why = entry.error ? reason(entry.error) : 'unknown reason';
  return `Could not ${what}: ${why}${entry.rolledBack ? '. Rolled back.' : ''}`;
}

function quoteLabel(label: string): string {
  return `'${label}'`;
}

/** Outcomes kept for a todo are released once no command on it still waits for its 202. */
function flushEarly(state: TodosState, entityId: string, at: number): TodosState {
  const stillWaiting = Object.values(state.commands).some((e) => e.entityId === entityId && isUnacknowledged(e));
  if (stillWaiting) return state;
  let next = state;
  for (const [commandId, outcome] of Object.entries(state.early)) {
    if (outcome.entityId !== entityId) continue;
    const { [commandId]: _released, ...rest } = next.early;
    next = otherWindowOutcome({ ...next, early: rest }, outcome, at);
  }
  return next;
}

function onChanged(state: TodosState, message: TodoChanged, watching: Focus | null): TodosState {
  const before = state.server[message.entityId];
  const next =
    message.data === null ? removeServerTodo(state, message.entityId) : applyServerTodo(state, message.data);
  const mine = message.changedBy === state.userId || state.byCommandId[message.commandId] !== undefined;
  if (mine || next === state) return next;
  const change = describeChange(message.changedBy, message.action, before, message.data);
  const onIt = watching !== null && watching.entityId === message.entityId;
  const where = watching?.field === 'text' ? 'editing' : 'looking at';
  return withNotice(next, {
    id: `changed:${message.commandId}`,
    kind: 'info',
    text: onIt ? `While you were ${where} it, ${change}` : change,
    by: message.changedBy,
  });
}

function applyOutcomeData(state: TodosState, outcome: CommandOutcome): TodosState {
  if (outcome.data) return applyServerTodo(state, outcome.data);
  if (outcome.type === 'command.succeeded') return removeServerTodo(state, outcome.entityId);
  return state;
}

/** A todo as the server has it now, unless what we know is already newer. */
function applyServerTodo(state: TodosState, todo: Todo): TodosState {
  const known = state.server[todo.id];
  if (known && known.version > todo.version) return state;
  return {
    ...state,
    server: { ...state.server, [todo.id]: todo },
    order: state.order.includes(todo.id) ? state.order : [...state.order, todo.id],
    touchedSinceFetch: touch(state.touchedSinceFetch, todo.id),
  };
}

function removeServerTodo(state: TodosState, id: string): TodosState {
  const touched = touch(state.touchedSinceFetch, id);
  if (!state.server[id]) return touched === state.touchedSinceFetch ? state : { ...state, touchedSinceFetch: touched };
  const { [id]: _removed, ...server } = state.server;
  return { ...state, server, touchedSinceFetch: touched };
}

function touch(touched: string[] | null, id: string): string[] | null {
  if (touched === null || touched.includes(id)) return touched;
  return [...touched, id];
}

function putEntry(state: TodosState, entry: CommandEntry): TodosState {
  return { ...state, commands: { ...state.commands, [entry.key]: entry } };
}

function updateEntry(state: TodosState, key: string, update: (entry: CommandEntry) => CommandEntry): TodosState {
  const entry = state.commands[key];
  if (!entry) return state;
  const next = update(entry);
  return next === entry ? state : putEntry(state, next);
}

function rememberCommandId(state: TodosState, commandId: string, key: string): TodosState {
  return { ...state, byCommandId: trimRecord({ ...state.byCommandId, [commandId]: key }, MAX_COMMAND_IDS) };
}

function withNotice(state: TodosState, notice: Notice): TodosState {
  return { ...state, notices: [...state.notices.filter((n) => n.id !== notice.id), notice] };
}

/** Keeps the newest `max` keys (records keep insertion order). */
function trimRecord<T>(record: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.length <= max) return record;
  const out: Record<string, T> = {};
  for (const key of keys.slice(keys.length - max)) out[key] = record[key]!;
  return out;
}

/**
 * Forgets settled commands that no todo shows any more (beyond the newest MAX_SETTLED) and order
 * entries of todos that show nothing.
 */
function compact(state: TodosState): TodosState {
  const latestKeys = new Set(Object.values(state.latest));
  const settled = Object.values(state.commands).filter((e) => !isOpen(e) && !latestKeys.has(e.key));
  let commands = state.commands;
  if (settled.length > MAX_SETTLED) {
    commands = { ...commands };
    for (const entry of settled.slice(0, settled.length - MAX_SETTLED)) delete commands[entry.key];
  }
  const live = new Set<string>(Object.keys(state.server));
  for (const entry of Object.values(commands)) {
    if (isOpen(entry) || (entry.kind === 'create' && entry.phase === 'failed' && !entry.dismissed)) live.add(entry.entityId);
  }
  const order = state.order.filter((id) => live.has(id));
  let latest = state.latest;
  const stale = Object.keys(latest).filter((id) => !live.has(id) && !commands[latest[id]!]);
  if (stale.length) {
    latest = { ...latest };
    for (const id of stale) delete latest[id];
  }
  if (commands === state.commands && order.length === state.order.length && latest === state.latest) return state;
  return { ...state, commands, order, latest };
}
