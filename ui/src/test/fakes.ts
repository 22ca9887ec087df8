/** A fake server (fetch) and a fake WebSocket for tests of the whole app. */
import { act } from '@testing-library/react';
import type { Todo } from '../api/types';
import type { SocketLike } from '../socket/socketClient';
import { vi } from 'vitest';

/**
 * A WebSocket as the socket core sees it (`SocketLike`): records what the client sends (as text,
 * refused while not open) and lets a test play the server. Every instance is kept in `all` of its
 * class, in order of creation; tests reset it with `X.all = []`.
 */
export class RawFakeSocket implements SocketLike {
  static all: RawFakeSocket[] = [];
  readyState = 0;
  texts: string[] = [];
  closedWith: number | undefined;
  onopen: ((e: Event) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  constructor(readonly url: string) {
    (this.constructor as typeof RawFakeSocket).all.push(this);
  }
  send(text: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.texts.push(text);
  }
  close(code = 1005) {
    this.closedWith = code;
    this.readyState = 3;
  }
  serverOpens() {
    act(() => {
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    });
  }
  serverSends(data: unknown) {
    act(() => {
      this.onmessage?.(new MessageEvent('message', { data: typeof data === 'string' ? data : JSON.stringify(data) }));
    });
  }
  serverCloses(code = 1006) {
    act(() => {
      this.readyState = 3;
      this.onclose?.(new CloseEvent('close', { code, wasClean: code !== 1006 }));
    });
  }
}

/** The socket of a whole-app test: what was sent, parsed, and server messages with a timestamp. */
export class FakeSocket extends RawFakeSocket {
  static OPEN = 1;
  static override all: FakeSocket[] = [];
  static last(): FakeSocket {
    return FakeSocket.all[FakeSocket.all.length - 1]!;
  }
  get sent(): unknown[] {
    return this.texts.map((t) => JSON.parse(t) as unknown);
  }
  open() {
    this.serverOpens();
  }
  push(message: object) {
    this.serverSends({ timestamp: '2026-11-26T14:00:00.000Z', ...message });
  }
  drop(code = 1006) {
    this.serverCloses(code);
  }
  /** What was sent of one type. */
  sentOf(type: string): Record<string, unknown>[] {
    return (this.sent as Record<string, unknown>[]).filter((m) => m.type === type);
  }
}

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export const chaos = { httpFailureRate: 0, lostResponseRate: 0, processingFailureRate: 0, minHttpDelayMs: 0, maxHttpDelayMs: 0, minDelayMs: 0, maxDelayMs: 0 };

/** A todo as the server sends it. */
export type TodoJson = Todo;

export function todoJson(id: string, text: string, version = 1, updatedBy = 'alice', completed = false): TodoJson {
  return { id, text, completed, version, updatedBy, updatedAt: '2026-11-26T14:00:00.000Z' };
}

export function fakeServer() {
  const calls: Call[] = [];
  let todos: TodoJson[] = [];
  let tickets = 0;
  let commands = 0;
  let userSeq = 0;
  /** Commands (POST/PATCH/DELETE on /api/todos) answered with this status while > 0. */
  let failing: { count: number; status: number; detail?: string } = { count: 0, status: 500 };
  /** PUT /api/chaos answers 403 with this problem type when set, else takes the change. */
  let chaosRefusal: string | null = null;
  /** GET /api/commands/{id} answers: a status object, or absent for 404. */
  const statuses: Record<string, object> = {};
  const reply = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const accept = (entityId: string) => reply(202, { commandId: `cmd-${++commands}`, entityId, status: 'accepted', userSeq });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const method = init?.method ?? 'GET';
    calls.push({ method, path, headers: { ...(init?.headers as Record<string, string>) }, body });
    const route = `${method} ${path}`;
    if (route === 'POST /api/session') return reply(200, { userId: body.userId, token: `token-${body.userId}`, expiresAt: '2999-01-01T00:00:00.000Z' });
    if (route === 'POST /api/ws-ticket') return reply(200, { ticket: `ticket-${++tickets}`, expiresAt: '2999-01-01T00:00:00.000Z' });
    if (route === 'GET /api/todos') return reply(200, todos);
    if (route === 'GET /api/chaos') return reply(200, chaos);
    if (route === 'PUT /api/chaos') {
      return chaosRefusal
        ? reply(403, { type: `urn:edf:problem:${chaosRefusal}`, title: 'Forbidden', status: 403, detail: 'refused' })
        : reply(200, { ...chaos, ...body });
    }
    const isCommand = path.startsWith('/api/todos') && method !== 'GET';
    if (isCommand && failing.count > 0) {
      failing = { ...failing, count: failing.count - 1 };
      if (failing.detail !== undefined) {
        const field = failing.detail.split(':')[0];
        return reply(failing.status, { type: 'urn:edf:problem:validation', title: 'Bad Request', status: failing.status, detail: failing.detail, field });
      }
      return reply(failing.status, { type: 'urn:edf:problem:simulated-failure', title: 'Simulated failure', status: failing.status });
    }
    if (route === 'POST /api/todos') return accept(body.id);
    const todoPath = /^\/api\/todos\/([^/?]+)/.exec(path);
    if (todoPath && (method === 'PATCH' || method === 'DELETE')) return accept(decodeURIComponent(todoPath[1]!));
    if (todoPath && method === 'GET') {
      const found = todos.find((t) => t.id === decodeURIComponent(todoPath[1]!));
      return found ? reply(200, found) : reply(404, { title: 'Not Found', status: 404 });
    }
    const commandPath = /^\/api\/commands\/(.+)$/.exec(path);
    if (commandPath && method === 'GET') {
      const known = statuses[decodeURIComponent(commandPath[1]!)];
      return known ? reply(200, known) : reply(404, { title: 'Not Found', status: 404 });
    }
    return reply(404, { title: 'Not Found', status: 404 });
  });
  return {
    calls,
    fetchMock,
    statuses,
    setTodos: (next: TodoJson[]) => (todos = next),
    setUserSeq: (seq: number) => (userSeq = seq),
    /** The next `count` commands get `status` (500: retried by the client). */
    failCommands: (count: number, status = 500) => (failing = { count, status }),
    /** PUT /api/chaos gets 403 with this problem type (`forbidden`, `chaos-locked`), or is taken (null). */
    refuseChaos: (type: string | null) => (chaosRefusal = type),
    /** The next `count` commands get 400 problem+json with this detail ("field: message"), as validation does. */
    refuseCommands: (count: number, detail: string) => (failing = { count, status: 400, detail }),
    count: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path).length,
  };
}

/** The browser parts the app needs and jsdom lacks: a fake WebSocket and ResizeObserver. */
export function stubBrowser(): void {
  FakeSocket.all = [];
  window.sessionStorage.clear();
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
}
