/**
 * The front-end socket schema (docs/protocol.md), mirrored as types, and the one function that
 * turns a text frame into a typed message. Nothing from the socket is trusted: every field the UI
 * reads is checked here; unknown fields are ignored and unknown types are reported, not thrown.
 */
import type { ChaosSettings, CommandError, Todo } from '../api/types';
import {
  isFiniteNumber,
  isObject,
  isString,
  readChaosSettings,
  readCommandError,
  readTodo,
  type Json,
} from '../shared/validate';

export type Topic = 'todos' | 'stats';
export type ChangeAction = 'create' | 'update' | 'delete';

interface Stamped {
  /** ISO-8601 UTC with milliseconds; absent only if a sender left it out. */
  timestamp?: string;
}

/**
 * Messages addressed to one user. The server numbers them (`seq`, per user, +1 each, and `epoch`,
 * which changes when that user's history is lost); the client resumes with them after a reconnect
 * and drops a `seq` it has already seen (see `delivery.ts`).
 */
export interface Personal extends Stamped {
  seq?: number;
  epoch?: string;
}

export interface CommandSucceeded extends Personal {
  type: 'command.succeeded';
  commandId: string;
  entityId: string;
  status: 'success';
  /** The todo after the change; null after a delete. */
  data: Todo | null;
}

export interface CommandFailed extends Personal {
  type: 'command.failed';
  commandId: string;
  entityId: string;
  status: 'failure';
  /** On a conflict, the current todo; otherwise null. */
  data: Todo | null;
  error: CommandError;
}

export interface TopicReply extends Stamped {
  type: 'subscribed' | 'unsubscribed';
  topic: string;
}

export interface Pong extends Stamped {
  type: 'pong';
}

export interface ServerError extends Stamped {
  type: 'error';
  code: string;
  message: string;
  /** The field of the client's message that broke a rule (`bad-text`), e.g. `topic`. */
  field?: string;
}

export interface TodoPending extends Stamped {
  type: 'todo.pending';
  entityId: string;
  commandId: string;
  by: string;
}

export interface TodoChanged extends Stamped {
  type: 'todo.changed';
  entityId: string;
  commandId: string;
  changedBy: string;
  action?: ChangeAction;
  /** The todo after the change; null when it was deleted. */
  data: Todo | null;
}

export interface TodoFailed extends Stamped {
  type: 'todo.failed';
  entityId: string;
  commandId: string;
  by: string;
  code?: string;
}

export interface Stats extends Stamped {
  type: 'stats';
  todos: number;
  queued: number;
  connections: number;
  users: number;
}

export interface ChaosChanged extends Stamped {
  type: 'chaos';
  settings: ChaosSettings;
  /** The user id of whoever made the change (absent from older servers). */
  changedBy?: string;
}

/** Anything another service sent this user through `/internal/events` (a personal message). */
export interface UserEvent extends Personal {
  type: 'event';
  /** The payload's own `type`, e.g. `invoice.paid`. */
  name: string;
  /** The payload's other fields, unchecked: the UI only shows them. */
  fields: Record<string, unknown>;
}

/** The first message of a fresh connection: where the user's numbering stands. */
export interface Welcome extends Stamped {
  type: 'welcome';
  epoch: string;
  seq: number;
  windowId?: string;
}

/** After the replay of what a resuming connection missed (`from` = `to` + 1: nothing missed). */
export interface Resumed extends Stamped {
  type: 'resumed';
  from: number;
  to: number;
  windowId?: string;
}

/** The connection cannot resume (or the server lost the history): refetch, continue from `seq`. */
export interface Resync extends Stamped {
  type: 'resync';
  epoch: string;
  seq: number;
  windowId?: string;
}

export type PresenceField = 'text' | 'completed';

/** Where one window is: the todo it looks at (or none), and the field it is in (or none). */
export interface PresenceWindow {
  windowId: string;
  userId: string;
  entityId: string | null;
  field: PresenceField | null;
}

export interface PresenceSnapshot extends Stamped {
  type: 'presence.snapshot';
  windows: PresenceWindow[];
}

export interface PresenceChanged extends Stamped, PresenceWindow {
  type: 'presence.changed';
}

export interface PresenceLeft extends Stamped {
  type: 'presence.left';
  windowId: string;
  userId: string;
}

export type CommandOutcome = CommandSucceeded | CommandFailed;

export type ServerMessage =
  | CommandSucceeded
  | CommandFailed
  | TopicReply
  | Pong
  | ServerError
  | TodoPending
  | TodoChanged
  | TodoFailed
  | Stats
  | ChaosChanged
  | UserEvent
  | Welcome
  | Resumed
  | Resync
  | PresenceSnapshot
  | PresenceChanged
  | PresenceLeft;

export type ServerMessageType = ServerMessage['type'];

/** What this window tells the server about its focus (a todo, and a field of it). */
export interface PresenceMessage {
  type: 'presence';
  entityId: string | null;
  field: PresenceField | null;
}

export type ClientMessage = { type: 'subscribe' | 'unsubscribe'; topic: Topic } | { type: 'ping' } | PresenceMessage;

export type ParseResult =
  | { ok: true; message: ServerMessage }
  | { ok: false; reason: string; type?: string };

class Invalid extends Error {}

function str(json: Json, field: string): string {
  const value = json[field];
  if (!isString(value)) throw new Invalid(`"${field}" must be a string`);
  return value;
}

function num(json: Json, field: string): number {
  const value = json[field];
  if (!isFiniteNumber(value)) throw new Invalid(`"${field}" must be a number`);
  return value;
}

function todoOrNull(json: Json, field: string): Todo | null {
  const value = json[field];
  if (value === null || value === undefined) return null;
  const todo = readTodo(value);
  if (!todo) throw new Invalid(`"${field}" must be a todo or null`);
  return todo;
}

function stamped(json: Json): Stamped {
  return isString(json.timestamp) ? { timestamp: json.timestamp } : {};
}

function personal(json: Json): Personal {
  const out: Personal = stamped(json);
  if (isFiniteNumber(json.seq)) out.seq = json.seq;
  if (isString(json.epoch)) out.epoch = json.epoch;
  return out;
}

function windowId(json: Json): { windowId?: string } {
  return isString(json.windowId) ? { windowId: json.windowId } : {};
}

function field(json: Json): PresenceField | null {
  const value = json.field;
  if (value === null || value === undefined) return null;
  if (value === 'text' || value === 'completed') return value;
  throw new Invalid('"field" must be "text", "completed" or null');
}

function stringOrNull(json: Json, name: string): string | null {
  const value = json[name];
  if (value === null || value === undefined) return null;
  if (!isString(value)) throw new Invalid(`"${name}" must be a string or null`);
  return value;
}

function presenceWindow(json: Json): PresenceWindow {
  return {
    windowId: str(json, 'windowId'),
    userId: str(json, 'userId'),
    entityId: stringOrNull(json, 'entityId'),
    field: field(json),
  };
}

function action(json: Json): ChangeAction | undefined {
  const value = json.action;
  return value === 'create' || value === 'update' || value === 'delete' ? value : undefined;
}

type Reader = (json: Json) => ServerMessage;

const readers: Record<ServerMessageType, Reader> = {
  'command.succeeded': (json) => ({
    type: 'command.succeeded',
    commandId: str(json, 'commandId'),
    entityId: str(json, 'entityId'),
    status: 'success',
    data: todoOrNull(json, 'data'),
    ...personal(json),
  }),
  'command.failed': (json) => {
    const error = readCommandError(json.error);
    if (!error) throw new Invalid('"error" must be {code, message}');
    return {
      type: 'command.failed',
      commandId: str(json, 'commandId'),
      entityId: str(json, 'entityId'),
      status: 'failure',
      data: todoOrNull(json, 'data'),
      error,
      ...personal(json),
    };
  },
  subscribed: (json) => ({ type: 'subscribed', topic: str(json, 'topic'), ...stamped(json) }),
  unsubscribed: (json) => ({ type: 'unsubscribed', topic: str(json, 'topic'), ...stamped(json) }),
  pong: (json) => ({ type: 'pong', ...stamped(json) }),
  error: (json) => ({
    type: 'error',
    code: str(json, 'code'),
    message: isString(json.message) ? json.message : '',
    ...(isString(json.field) ? { field: json.field } : {}),
    ...stamped(json),
  }),
  'todo.pending': (json) => ({
    type: 'todo.pending',
    entityId: str(json, 'entityId'),
    commandId: str(json, 'commandId'),
    by: str(json, 'by'),
    ...stamped(json),
  }),
  'todo.changed': (json) => {
    const data = todoOrNull(json, 'data');
    const entityId = str(json, 'entityId');
    if (data && data.id !== entityId) throw new Invalid('"data.id" differs from "entityId"');
    const act = action(json);
    return {
      type: 'todo.changed',
      entityId,
      commandId: str(json, 'commandId'),
      changedBy: str(json, 'changedBy'),
      ...(act ? { action: act } : {}),
      data,
      ...stamped(json),
    };
  },
  'todo.failed': (json) => ({
    type: 'todo.failed',
    entityId: str(json, 'entityId'),
    commandId: str(json, 'commandId'),
    by: str(json, 'by'),
    ...(isString(json.code) ? { code: json.code } : {}),
    ...stamped(json),
  }),
  stats: (json) => ({
    type: 'stats',
    todos: num(json, 'todos'),
    queued: num(json, 'queued'),
    connections: num(json, 'connections'),
    users: num(json, 'users'),
    ...stamped(json),
  }),
  chaos: (json) => {
    const settings = readChaosSettings(json.settings);
    if (!settings) throw new Invalid('"settings" must hold all seven chaos fields as numbers');
    return { type: 'chaos', settings, ...(isString(json.changedBy) ? { changedBy: json.changedBy } : {}), ...stamped(json) };
  },
  // Only reached through readUserEvent: a payload of another service, which names its own type.
  event: (json) => readUserEvent(json),
  welcome: (json) => ({ type: 'welcome', epoch: str(json, 'epoch'), seq: num(json, 'seq'), ...windowId(json), ...stamped(json) }),
  resumed: (json) => ({ type: 'resumed', from: num(json, 'from'), to: num(json, 'to'), ...windowId(json), ...stamped(json) }),
  resync: (json) => ({ type: 'resync', epoch: str(json, 'epoch'), seq: num(json, 'seq'), ...windowId(json), ...stamped(json) }),
  'presence.snapshot': (json) => {
    if (!Array.isArray(json.windows)) throw new Invalid('"windows" must be an array');
    const windows = json.windows.map((w: unknown) => {
      if (!isObject(w)) throw new Invalid('"windows" must hold objects');
      return presenceWindow(w);
    });
    return { type: 'presence.snapshot', windows, ...stamped(json) };
  },
  'presence.changed': (json) => ({ type: 'presence.changed', ...presenceWindow(json), ...stamped(json) }),
  'presence.left': (json) => ({
    type: 'presence.left',
    windowId: str(json, 'windowId'),
    userId: str(json, 'userId'),
    ...stamped(json),
  }),
};

const EVENT_RESERVED = new Set(['type', 'timestamp', 'seq', 'epoch']);

/** A personal message of a type the UI does not know: a notification from another service. */
function readUserEvent(json: Json): UserEvent {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) if (!EVENT_RESERVED.has(key)) fields[key] = value;
  return { type: 'event', name: str(json, 'type'), fields, ...personal(json) };
}

function isKnownType(type: string): type is ServerMessageType {
  return Object.prototype.hasOwnProperty.call(readers, type);
}

/** Parses one text frame. Never throws. */
export function parseServerMessage(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(json)) return { ok: false, reason: 'not a JSON object' };
  const type = json.type;
  if (!isString(type)) return { ok: false, reason: 'no "type"' };
  if (!isKnownType(type) || type === 'event') {
    // Numbered, hence personal: something another service sent this user (it counts for `seq`).
    if (isFiniteNumber(json.seq)) return { ok: true, message: readUserEvent(json) };
    return { ok: false, reason: `unknown type "${type}"`, type };
  }
  try {
    return { ok: true, message: readers[type](json) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: `${type}: ${error.message}`, type };
    throw error;
  }
}

/** Whether a message is addressed to this user alone, numbered by `seq` (see docs/protocol.md, section 3). */
export function isPersonal(message: ServerMessage): message is CommandOutcome | UserEvent {
  return message.type === 'command.succeeded' || message.type === 'command.failed' || message.type === 'event';
}

/** Whether a message is the outcome of a command (sent only to the user who issued it). */
export function isOutcome(message: ServerMessage): message is CommandOutcome {
  return message.type === 'command.succeeded' || message.type === 'command.failed';
}
