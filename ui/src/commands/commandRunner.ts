/**
 * Sends the commands of this window. Each command gets its Idempotency-Key when it is issued and
 * keeps it through every retry. Commands on the same todo are sent one after the other (the next
 * one leaves once the previous one is accepted or has failed), so the server queues them in the
 * order the user made them; commands on different todos travel in parallel.
 */
import type { Api } from '../api/endpoints';
import { RequestError, describeFailure, toRequestError } from '../api/retryPolicy';
import type { CommandAccepted, CommandError, TodoPatch } from '../api/types';
import { uuid } from '../shared/uuid';
import type { TodosAction } from './commandReducer';

/** `expectedVersion`: the version the user saw; a stale one makes the command fail with `conflict`. */
export type CommandRequest =
  | { kind: 'create'; entityId: string; text: string }
  | { kind: 'update'; entityId: string; patch: TodoPatch; label: string; expectedVersion?: number }
  | { kind: 'delete'; entityId: string; label: string; expectedVersion?: number };

export interface CommandRunnerDeps {
  api: Pick<Api, 'createTodo' | 'updateTodo' | 'deleteTodo'>;
  dispatch: (action: TodosAction) => void;
  newKey?: () => string;
  now?: () => number;
}

export interface CommandRunner {
  /** Starts a command and returns its Idempotency-Key. */
  issue(request: CommandRequest): string;
  /**
   * Sends a failed command that never got its 202 again, with the same Idempotency-Key (the
   * server may have accepted it after all: then it answers with the same 202).
   */
  retry(key: string, request: CommandRequest): void;
  /** Sends a command already in the state (restored after a reload) with its own key. */
  resend(key: string, request: CommandRequest): void;
  /** Stops every request in flight (sign-out); nothing is dispatched afterwards. */
  dispose(): void;
}

export function errorOf(error: RequestError): CommandError {
  const code = error.kind === 'http' ? `http-${error.status ?? 'error'}` : error.kind;
  const detail = error.kind === 'http' && error.status === 400 ? error.problem?.detail : undefined;
  return { code, message: describeFailure(error), ...(detail ? { detail } : {}) };
}

export function createCommandRunner(deps: CommandRunnerDeps): CommandRunner {
  const newKey = deps.newKey ?? uuid;
  const now = deps.now ?? Date.now;
  const controller = new AbortController();
  const tails = new Map<string, Promise<void>>();

  const dispatch = (action: TodosAction) => {
    if (!controller.signal.aborted) deps.dispatch(action);
  };

  function call(key: string, request: CommandRequest): Promise<CommandAccepted> {
    const options = {
      idempotencyKey: key,
      signal: controller.signal,
      hooks: {
        onAttempt: (attempt: number) => dispatch({ type: 'command/attempt', key, attempt }),
        onWaitingForNetwork: (attempt: number) => dispatch({ type: 'command/waiting', key, attempt }),
        onRetry: (info: { nextAttempt: number; delayMs: number; error: RequestError }) =>
          dispatch({
            type: 'command/retrying',
            key,
            nextAttempt: info.nextAttempt,
            nextAttemptAt: now() + info.delayMs,
            reason: info.error.kind === 'http' ? `HTTP ${info.error.status}` : info.error.kind,
          }),
      },
    };
    switch (request.kind) {
      case 'create':
        return deps.api.createTodo({ id: request.entityId, text: request.text }, options);
      case 'update': {
        const body = request.expectedVersion === undefined ? request.patch : { ...request.patch, expectedVersion: request.expectedVersion };
        return deps.api.updateTodo(request.entityId, body, options);
      }
      case 'delete':
        return deps.api.deleteTodo(request.entityId, options, request.expectedVersion);
    }
  }

  async function send(key: string, request: CommandRequest): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const accepted = await call(key, request);
      dispatch({
        type: 'command/accepted',
        key,
        commandId: accepted.commandId,
        at: now(),
        ...(accepted.userSeq !== undefined ? { userSeq: accepted.userSeq } : {}),
      });
    } catch (thrown) {
      const error = toRequestError(thrown);
      if (error.kind === 'aborted') return;
      dispatch({ type: 'command/rejected', key, error: errorOf(error), at: now() });
    }
  }

  const enqueue = (key: string, request: CommandRequest) => {
    const previous = tails.get(request.entityId) ?? Promise.resolve();
    const tail = previous.then(() => send(key, request));
    tails.set(request.entityId, tail);
    void tail.finally(() => {
      if (tails.get(request.entityId) === tail) tails.delete(request.entityId);
    });
  };

  return {
    resend(key, request) {
      enqueue(key, request);
    },
    retry(key, request) {
      dispatch({ type: 'command/retried', key, at: now() });
      enqueue(key, request);
    },
    issue(request) {
      const key = newKey();
      const label = request.kind === 'create' ? request.text : request.label;
      const patch: TodoPatch =
        request.kind === 'create' ? { text: request.text } : request.kind === 'update' ? request.patch : {};
      const expectedVersion = request.kind === 'create' ? undefined : request.expectedVersion;
      dispatch({
        type: 'command/issued',
        key,
        kind: request.kind,
        entityId: request.entityId,
        patch,
        label,
        at: now(),
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      enqueue(key, request);
      return key;
    },
    dispose() {
      controller.abort();
    },
  };
}
