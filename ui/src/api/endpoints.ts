/** The server's HTTP API, one function per endpoint, all through the shared client. */
import { isFiniteNumber, isObject, isString, readChaosSettings, readCommandError, readTodo } from '../shared/validate';
import type { ApiClient, ApiResponse } from './client';
import { nextLink } from './linkHeader';
import type { NetworkGate } from './networkGate';
import type { RetryHooks } from './retryPolicy';
import { RequestError } from './retryPolicy';
import type {
  ChaosSettings,
  CommandAccepted,
  CommandStatus,
  Session,
  Todo,
  TodoPatch,
  WsTicket,
} from './types';

export interface CommandCall {
  /** The same key for every retry of this one command. */
  idempotencyKey: string;
  hooks?: RetryHooks;
  signal?: AbortSignal;
}

function protocolError(what: string): RequestError {
  return new RequestError('protocol', `unexpected answer to ${what}`);
}

function readAccepted(data: unknown, what: string): CommandAccepted {
  if (!isObject(data) || !isString(data.commandId) || !isString(data.entityId)) throw protocolError(what);
  return {
    commandId: data.commandId,
    entityId: data.entityId,
    status: 'accepted',
    ...(isFiniteNumber(data.userSeq) ? { userSeq: data.userSeq } : {}),
  };
}

const COMMAND_TYPES = ['create', 'update', 'delete'] as const;
const COMMAND_STATES = ['accepted', 'succeeded', 'failed'] as const;

function readCommandStatus(data: unknown): CommandStatus {
  if (!isObject(data) || !isString(data.commandId) || !isString(data.entityId)) throw protocolError('the command status');
  const status = COMMAND_STATES.find((s) => s === data.status);
  if (!status) throw protocolError('the command status');
  const error = readCommandError(data.error);
  return {
    commandId: data.commandId,
    entityId: data.entityId,
    type: COMMAND_TYPES.find((t) => t === data.type) ?? 'update',
    status,
    ...(error ? { error } : {}),
    acceptedAt: isString(data.acceptedAt) ? data.acceptedAt : '',
    ...(isString(data.completedAt) ? { completedAt: data.completedAt } : {}),
  };
}

export interface Api {
  createSession(userId: string, signal?: AbortSignal): Promise<Session>;
  wsTicket(): Promise<WsTicket>;
  /** Every todo, page after page (the server's Link header names the next). */
  listTodos(signal?: AbortSignal): Promise<Todo[]>;
  /** One todo, or null when the server does not have it (404). */
  getTodo(id: string, signal?: AbortSignal): Promise<Todo | null>;
  createTodo(todo: { id: string; text: string }, call: CommandCall): Promise<CommandAccepted>;
  updateTodo(id: string, patch: TodoPatch & { expectedVersion?: number }, call: CommandCall): Promise<CommandAccepted>;
  deleteTodo(id: string, call: CommandCall, expectedVersion?: number): Promise<CommandAccepted>;
  commandStatus(commandId: string, signal?: AbortSignal): Promise<CommandStatus>;
  getChaos(): Promise<ChaosSettings>;
  putChaos(settings: ChaosSettings): Promise<ChaosSettings>;
}

const TODOS = '/api/todos';

/** A bound on the pages of one list (the server's largest page is 500 todos). */
const MAX_PAGES = 1000;

/** `gate`: while the network is away, commands wait for it without spending attempts. */
export function createApi(client: ApiClient, gate?: NetworkGate): Api {
  const command = async (
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    entityId: string,
    body: unknown,
    call: CommandCall,
  ): Promise<CommandAccepted> => {
    const response = await client.request({
      method,
      path,
      entityId,
      ...(body !== undefined ? { body } : {}),
      idempotencyKey: call.idempotencyKey,
      ...(call.hooks ? { hooks: call.hooks } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(gate ? { gate } : {}),
    });
    return readAccepted(response.data, `${method} ${path}`);
  };

  return {
    async createSession(userId, signal) {
      const { data } = await client.request({
        method: 'POST',
        path: '/api/session',
        body: { userId },
        auth: false,
        ...(signal ? { signal } : {}),
      });
      if (!isObject(data) || !isString(data.userId) || !isString(data.token)) throw protocolError('sign-in');
      return { userId: data.userId, token: data.token, expiresAt: isString(data.expiresAt) ? data.expiresAt : '' };
    },

    async wsTicket() {
      const { data } = await client.request({ method: 'POST', path: '/api/ws-ticket' });
      if (!isObject(data) || !isString(data.ticket)) throw protocolError('the ticket request');
      return { ticket: data.ticket, expiresAt: isString(data.expiresAt) ? data.expiresAt : '' };
    },

    async listTodos(signal) {
      // The server pages the list: each page names the next in its Link header, absent on the last.
      const todos: Todo[] = [];
      const asked = new Set<string>();
      for (let path: string | null = TODOS; path !== null; ) {
        if (asked.has(path) || asked.size >= MAX_PAGES) throw protocolError('GET /api/todos: its pages do not end');
        asked.add(path);
        const { data, headers }: ApiResponse<unknown> = await client.request({ method: 'GET', path, ...(signal ? { signal } : {}) });
        if (!Array.isArray(data)) throw protocolError('GET /api/todos');
        todos.push(...data.map(readTodo).filter((t): t is Todo => t !== null));
        path = nextLink(headers?.get('Link'), TODOS);
      }
      return todos;
    },

    async getTodo(id, signal) {
      try {
        const { data } = await client.request({
          method: 'GET',
          path: `/api/todos/${encodeURIComponent(id)}`,
          entityId: id,
          ...(signal ? { signal } : {}),
        });
        const todo = readTodo(data);
        if (!todo) throw protocolError(`GET /api/todos/${id}`);
        return todo;
      } catch (error) {
        if (error instanceof RequestError && error.status === 404) return null;
        throw error;
      }
    },

    createTodo(todo, call) {
      return command('POST', '/api/todos', todo.id, { id: todo.id, text: todo.text }, call);
    },

    updateTodo(id, patch, call) {
      return command('PATCH', `/api/todos/${encodeURIComponent(id)}`, id, patch, call);
    },

    deleteTodo(id, call, expectedVersion) {
      const query = expectedVersion === undefined ? '' : `?expectedVersion=${expectedVersion}`;
      return command('DELETE', `/api/todos/${encodeURIComponent(id)}${query}`, id, undefined, call);
    },

    async commandStatus(commandId, signal) {
      const { data } = await client.request({
        method: 'GET',
        path: `/api/commands/${encodeURIComponent(commandId)}`,
        ...(signal ? { signal } : {}),
      });
      return readCommandStatus(data);
    },

    async getChaos() {
      const { data } = await client.request({ method: 'GET', path: '/api/chaos' });
      const settings = readChaosSettings(data);
      if (!settings) throw protocolError('GET /api/chaos');
      return settings;
    },

    async putChaos(settings) {
      const { data } = await client.request({ method: 'PUT', path: '/api/chaos', body: settings });
      return readChaosSettings(data) ?? settings;
    },
  };
}
