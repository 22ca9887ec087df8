import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogStore } from '../log/logStore';
import { createApiClient } from './client';
import { createApi } from './endpoints';
import { RequestError, type RetryPolicy } from './retryPolicy';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 1000 };

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type } });

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

function fakeFetch(answers: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const impl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: (init?.body as string | null) ?? null,
    });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  });
  return { impl: impl as unknown as typeof fetch, calls };
}

describe('api client', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a lost response with the same Idempotency-Key and returns the one commandId', async () => {
    const accepted = { commandId: 'c-1', entityId: 'e-1', status: 'accepted' };
    const { impl, calls } = fakeFetch([
      () => json(500, { title: 'Internal Server Error', status: 500 }, 'application/problem+json'),
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => json(202, accepted),
    ]);
    const log = createLogStore();
    const api = createApi(createApiClient({ getPolicy: () => policy, getToken: () => 'tok', fetch: impl, log: log.append, random: () => 0.5 }));
    const attempts: number[] = [];
    const result = api.createTodo(
      { id: 'e-1', text: 'Buy milk' },
      { idempotencyKey: 'key-1', hooks: { onAttempt: (n) => attempts.push(n) } },
    );
    await vi.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toEqual(accepted);
    expect(attempts).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.headers['Idempotency-Key'])).toEqual(['key-1', 'key-1', 'key-1']);
    expect(calls.every((c) => c.headers.Authorization === 'Bearer tok')).toBe(true);
    expect(JSON.parse(calls[0]!.body!)).toEqual({ id: 'e-1', text: 'Buy milk' });
    const summaries = log.getSnapshot().entries.map((e) => e.summary);
    expect(summaries.some((s) => s.startsWith('500 POST /api/todos'))).toBe(true);
    expect(summaries.some((s) => s.startsWith('202 POST /api/todos'))).toBe(true);
    expect(summaries.some((s) => s.includes('attempt 3'))).toBe(true);
    // every line of the create (attempts, failures, retry notes, the answer) links to the todo
    expect(log.getSnapshot().entries).toHaveLength(8);
    expect(log.getSnapshot().entries.every((e) => e.entityId === 'e-1')).toBe(true);
  });

  it('links the answer of a call that names no todo to the one its answer names, and the list to none', async () => {
    const { impl } = fakeFetch([
      () => json(200, { commandId: 'c-1', entityId: 'e-7', type: 'update', state: 'succeeded' }),
      () => json(200, []),
    ]);
    const log = createLogStore();
    const api = createApi(createApiClient({ getPolicy: () => policy, getToken: () => 't', fetch: impl, log: log.append }));
    await api.commandStatus('c-1').catch(() => null);
    await api.listTodos();
    expect(log.getSnapshot().entries.map((e) => [e.summary.split(' ·')[0], e.entityId])).toEqual([
      ['GET /api/commands/c-1', undefined],
      ['200 GET /api/commands/c-1', 'e-7'],
      ['GET /api/todos', undefined],
      ['200 GET /api/todos', undefined],
    ]);
  });

  it('does not retry a 400 and hands back the problem with its field', async () => {
    const { impl, calls } = fakeFetch([
      () =>
        json(
          400,
          { title: 'Bad Request', status: 400, detail: 'text must not be empty', field: 'text', errors: [{ field: 'text', message: 'empty' }] },
          'application/problem+json',
        ),
    ]);
    const api = createApi(createApiClient({ getPolicy: () => policy, getToken: () => 't', fetch: impl }));
    const error = (await api.createTodo({ id: 'e', text: ' ' }, { idempotencyKey: 'k' }).catch((e: unknown) => e)) as RequestError;
    expect(error).toBeInstanceOf(RequestError);
    expect(error.status).toBe(400);
    expect(error.problem?.field).toBe('text');
    expect(error.problem?.errors).toEqual([{ field: 'text', message: 'empty' }]);
    expect(calls).toHaveLength(1);
  });

  it('renews the session once on 401 and repeats the call with the new token', async () => {
    let token = 'old';
    const { impl, calls } = fakeFetch([() => json(401, { title: 'Unauthorized', status: 401 }), () => json(200, [])]);
    const renewToken = vi.fn(async () => {
      token = 'new';
    });
    const api = createApi(createApiClient({ getPolicy: () => policy, getToken: () => token, renewToken, fetch: impl }));
    await expect(api.listTodos()).resolves.toEqual([]);
    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(calls.map((c) => c.headers.Authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('signs in without a token and never writes the token to the log', async () => {
    const { impl, calls } = fakeFetch([() => json(200, { userId: 'alice', token: 'very-secret', expiresAt: 'x' })]);
    const log = createLogStore();
    const api = createApi(createApiClient({ getPolicy: () => policy, getToken: () => 'stale', fetch: impl, log: log.append }));
    await expect(api.createSession('alice')).resolves.toEqual({ userId: 'alice', token: 'very-secret', expiresAt: 'x' });
    expect(calls[0]!.headers.Authorization).toBeUndefined();
    expect(JSON.stringify(log.getSnapshot())).not.toContain('very-secret');
  });

  it('uses the policy for reads too: gives up after maxAttempts on 5xx', async () => {
    const { impl, calls } = fakeFetch(Array.from({ length: 10 }, () => () => json(503, {})));
    const api = createApi(createApiClient({ getPolicy: () => ({ ...policy, maxAttempts: 3 }), fetch: impl, random: () => 0 }));
    const result = api.listTodos().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const error = (await result) as RequestError;
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(3);
    expect(calls).toHaveLength(3);
  });

  it('drops malformed todos from the list instead of trusting them', async () => {
    const good = { id: 'a', text: 'A', completed: false, version: 1, updatedBy: 'x', updatedAt: 'y' };
    const { impl } = fakeFetch([() => json(200, [good, { id: 'b' }, null])]);
    const api = createApi(createApiClient({ getPolicy: () => policy, fetch: impl }));
    await expect(api.listTodos()).resolves.toEqual([good]);
  });

  it('follows the list\'s pages by their Link header until the last, in order', async () => {
    const todo = (id: string) => ({ id, text: id, completed: false, version: 1, updatedBy: 'x', updatedAt: 'y' });
    const page = (todos: unknown[], next?: string) =>
      new Response(JSON.stringify(todos), {
        status: 200,
        headers: { 'Content-Type': 'application/json', ...(next ? { Link: `<${next}>; rel="next"` } : {}) },
      });
    const { impl, calls } = fakeFetch([
      () => page([todo('a'), todo('b')], '/api/todos?limit=2&cursor=c1'),
      () => page([todo('c'), todo('d')], '/api/todos?limit=2&cursor=c2'),
      () => page([todo('e')]),
    ]);
    const api = createApi(createApiClient({ getPolicy: () => policy, getToken: () => 't', fetch: impl }));
    await expect(api.listTodos()).resolves.toEqual(['a', 'b', 'c', 'd', 'e'].map(todo));
    expect(calls.map((c) => c.url)).toEqual(['/api/todos', '/api/todos?limit=2&cursor=c1', '/api/todos?limit=2&cursor=c2']);
    expect(calls.every((c) => c.headers.Authorization === 'Bearer t')).toBe(true);
  });

  it('stops with an error when the pages go round in a circle, and never leaves the server', async () => {
    const looping = () =>
      new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json', Link: '</api/todos?cursor=same>; rel="next"' } });
    const { impl, calls } = fakeFetch([looping, looping, looping]);
    const api = createApi(createApiClient({ getPolicy: () => policy, fetch: impl }));
    const error = (await api.listTodos().catch((e: unknown) => e)) as RequestError;
    expect(error.kind).toBe('protocol');
    expect(calls).toHaveLength(2);

    const away = fakeFetch([
      () => new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json', Link: '<https://elsewhere.example/api/todos>; rel="next"' } }),
    ]);
    const api2 = createApi(createApiClient({ getPolicy: () => policy, getToken: () => 't', fetch: away.impl }));
    await expect(api2.listTodos()).resolves.toEqual([]);
    expect(away.calls).toHaveLength(1);
  });

  it('puts the expected version of a delete into the query', async () => {
    const { impl, calls } = fakeFetch([() => json(202, { commandId: 'c', entityId: 'e', status: 'accepted' })]);
    const api = createApi(createApiClient({ getPolicy: () => policy, fetch: impl }));
    await api.deleteTodo('e', { idempotencyKey: 'k' }, 3);
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/todos/e?expectedVersion=3', body: null });
  });

  it('reads the userSeq of a 202', async () => {
    const { impl } = fakeFetch([() => json(202, { commandId: 'c', entityId: 'e', status: 'accepted', userSeq: 12 })]);
    const api = createApi(createApiClient({ getPolicy: () => policy, fetch: impl }));
    await expect(api.updateTodo('e', { completed: true, expectedVersion: 2 }, { idempotencyKey: 'k' })).resolves.toEqual({
      commandId: 'c',
      entityId: 'e',
      status: 'accepted',
      userSeq: 12,
    });
  });

  it('reads a command status, and tells a 404 apart', async () => {
    const { impl, calls } = fakeFetch([
      () => json(200, { commandId: 'c', entityId: 'e', type: 'update', status: 'failed', error: { code: 'conflict', message: 'm' }, acceptedAt: 'a' }),
      () => json(404, { title: 'Not Found', status: 404 }),
    ]);
    const api = createApi(createApiClient({ getPolicy: () => policy, fetch: impl }));
    await expect(api.commandStatus('c')).resolves.toEqual({
      commandId: 'c',
      entityId: 'e',
      type: 'update',
      status: 'failed',
      error: { code: 'conflict', message: 'm' },
      acceptedAt: 'a',
    });
    expect(calls[0]).toMatchObject({ method: 'GET', url: '/api/commands/c' });
    await expect(api.commandStatus('gone')).rejects.toMatchObject({ kind: 'http', status: 404 });
  });

  it('reads one todo, null when the server does not have it', async () => {
    const good = { id: 'a', text: 'A', completed: true, version: 3, updatedBy: 'x', updatedAt: 'y' };
    const { impl } = fakeFetch([() => json(200, good), () => json(404, { title: 'Not Found', status: 404 })]);
    const api = createApi(createApiClient({ getPolicy: () => policy, fetch: impl }));
    await expect(api.getTodo('a')).resolves.toEqual(good);
    await expect(api.getTodo('b')).resolves.toBeNull();
  });
});
