/**
 * The HTTP client: every call of the app goes through {@link ApiClient.request}, hence through the
 * retry policy, and every attempt and answer is written to the log. Errors come back as
 * {@link RequestError}s carrying the server's problem+json.
 */
import type { LogStore } from '../log/logStore';
import { entityIdInText } from '../log/logEntity';
import { redactJson, redactText } from '../log/logStore';
import { isObject } from '../shared/validate';
import type { NetworkGate } from './networkGate';
import { RequestError, parseRetryAfter, withRetry, type RetryHooks, type RetryPolicy } from './retryPolicy';
import type { Problem } from './types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: HttpMethod;
  /** Path below the server root, e.g. `/api/todos`. */
  path: string;
  body?: unknown;
  /** Sent unchanged with every attempt, so the server runs the command at most once. */
  idempotencyKey?: string;
  /** Whether to send the session token (all /api calls but sign-in). Default true. */
  auth?: boolean;
  signal?: AbortSignal;
  hooks?: RetryHooks;
  /** Commands wait here while the network is away, without spending attempts. */
  gate?: NetworkGate;
  /** The todo this call concerns: its log lines link to it. */
  entityId?: string;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

export interface ApiClient {
  request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>>;
}

export interface ApiClientOptions {
  getPolicy: () => RetryPolicy;
  getToken?: () => string | null;
  /** Called when the server says 401: should get a fresh token; the call is then made once more. */
  renewToken?: () => Promise<void>;
  log?: LogStore['append'];
  fetch?: typeof fetch;
  random?: () => number;
  now?: () => number;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? (() => performance.now());
  const log = options.log ?? (() => {});

  async function attemptOnce<T>(request: ApiRequest, attempt: number, signal: AbortSignal): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
    const token = request.auth === false ? null : (options.getToken?.() ?? null);
    if (token) headers.Authorization = `Bearer ${token}`;

    const label = `${request.method} ${request.path}`;
    const notes = [
      attempt > 1 ? `attempt ${attempt}` : null,
      request.idempotencyKey ? `Idempotency-Key ${request.idempotencyKey.slice(0, 8)}…` : null,
    ].filter(Boolean);
    log({
      channel: 'http',
      direction: 'out',
      level: 'info',
      summary: notes.length ? `${label} · ${notes.join(' · ')}` : label,
      ...(request.body !== undefined ? { detail: redactJson(request.body) } : {}),
      ...about(request.entityId),
    });

    const started = now();
    let response: Response;
    try {
      response = await fetchImpl(request.path, {
        method: request.method,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal,
        credentials: 'same-origin',
      });
    } catch (error) {
      if (signal.aborted) throw error; // the retry policy knows why (timeout or cancel)
      log({ channel: 'http', direction: 'in', level: 'error', summary: `✕ ${label} · no answer (network error)`, ...about(request.entityId) });
      throw new RequestError('network', error instanceof Error ? error.message : 'Network error');
    }
    const text = await response.text();
    const ms = Math.round(now() - started);
    const summary = `${response.status} ${label} · ${ms} ms`;
    const detail = text ? redactText(text) : undefined;
    // A call that names no todo (a command's status) is about the one its answer names, if any.
    const answerAbout = about(request.entityId ?? (text ? entityIdInText(text) : undefined));

    if (!response.ok) {
      const problem = readProblem(text);
      const level = response.status >= 500 ? 'error' : 'warn';
      log({ channel: 'http', direction: 'in', level, summary, ...(detail ? { detail } : {}), ...answerAbout });
      const message = problem?.detail ?? problem?.title ?? (response.statusText || `HTTP ${response.status}`);
      const failure = new RequestError('http', message, response.status, problem ?? undefined);
      failure.retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'));
      throw failure;
    }
    log({ channel: 'http', direction: 'in', level: 'ok', summary, ...(detail ? { detail } : {}), ...answerAbout });
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        throw new RequestError('protocol', `${label} answered ${response.status} with a body that is not JSON`);
      }
    }
    return { status: response.status, data: data as T, headers: response.headers };
  }

  function withPolicy<T>(request: ApiRequest): Promise<ApiResponse<T>> {
    const label = `${request.method} ${request.path}`;
    return withRetry((ctx) => attemptOnce<T>(request, ctx.attempt, ctx.signal), options.getPolicy(), {
      ...(request.signal ? { signal: request.signal } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(request.gate ? { gate: request.gate } : {}),
      onAttempt: (n) => request.hooks?.onAttempt?.(n),
      onWaitingForNetwork: (n) => {
        log({ channel: 'http', direction: 'note', level: 'warn', summary: `${label}: waiting for the network (attempt ${n} not spent)`, ...about(request.entityId) });
        request.hooks?.onWaitingForNetwork?.(n);
      },
      onRetry: (info) => {
        const reason = info.error.kind === 'http' ? `${info.error.status}` : info.error.kind;
        log({
          channel: 'http',
          direction: 'note',
          level: 'warn',
          summary: `↻ ${label} failed (${reason}); attempt ${info.nextAttempt} in ${(info.delayMs / 1000).toFixed(1)} s`,
          ...about(request.entityId),
        });
        request.hooks?.onRetry?.(info);
      },
    });
  }

  return {
    async request<T>(request: ApiRequest): Promise<ApiResponse<T>> {
      try {
        return await withPolicy<T>(request);
      } catch (error) {
        const renew = options.renewToken;
        if (renew && request.auth !== false && error instanceof RequestError && error.status === 401) {
          log({ channel: 'app', direction: 'note', level: 'warn', summary: 'Session expired; signing in again' });
          await renew();
          return await withPolicy<T>(request);
        }
        if (error instanceof RequestError && error.kind !== 'aborted' && (error.attempts > 1 || error.kind !== 'http')) {
          log({
            channel: 'http',
            direction: 'note',
            level: 'error',
            summary: `✕ ${request.method} ${request.path} gave up after ${error.attempts} attempt${error.attempts > 1 ? 's' : ''}`,
            ...about(request.entityId),
          });
        }
        throw error;
      }
    },
  };
}

/** Links a log line to the todo it concerns (see `logEntity.ts`). */
function about(entityId: string | undefined): { entityId?: string } {
  return entityId !== undefined ? { entityId } : {};
}

function readProblem(text: string): Problem | null {
  if (!text) return null;
  try {
    const json: unknown = JSON.parse(text);
    if (!isObject(json)) return null;
    const problem: Problem = {};
    if (typeof json.type === 'string') problem.type = json.type;
    if (typeof json.title === 'string') problem.title = json.title;
    if (typeof json.status === 'number') problem.status = json.status;
    if (typeof json.detail === 'string') problem.detail = json.detail;
    if (typeof json.field === 'string') problem.field = json.field;
    if (Array.isArray(json.errors)) {
      problem.errors = json.errors
        .filter(isObject)
        .filter((e) => typeof e.field === 'string')
        .map((e) => ({ field: e.field as string, message: typeof e.message === 'string' ? e.message : '' }));
    }
    return problem;
  } catch {
    return null;
  }
}
