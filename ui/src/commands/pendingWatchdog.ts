/**
 * So that a lost push never leaves an item pending forever: a command of this window that was
 * accepted (202) and has no outcome after `checkAfterMs` is looked up at its status URL
 * (`GET /api/commands/{id}`, through the shared retry policy like every call):
 *
 * - `succeeded` / `failed`: the outcome is applied as if its push had come (the same reducer
 *   action, a synthesized `command.succeeded` / `command.failed`); the todo it needs for that is
 *   read with `GET /api/todos/{id}` (a 404 there means it is gone),
 * - 404: the server no longer knows the command (restart, or beyond the statuses it remembers):
 *   failed, reason "unknown: the server no longer knows this command",
 * - `accepted`, or no answer: checked again after the same time.
 *
 * A `resync` checks every pending command at once, and a command accepted later whose `userSeq`
 * lies before the resync's `seq` is checked at once too: its outcome may have been in the gap.
 */
import type { Api } from '../api/endpoints';
import { describeFailure, toRequestError } from '../api/retryPolicy';
import type { CommandError, CommandStatus, Todo } from '../api/types';
import type { CommandOutcome } from '../socket/protocol';
import type { CommandEntry, TodosAction } from './commandReducer';

export const DEFAULT_PENDING_CHECK_MS = 10_000;

export const UNKNOWN_COMMAND: CommandError = {
  code: 'unknown',
  message: 'unknown: the server no longer knows this command',
};

export interface PendingWatchdogDeps {
  api: Pick<Api, 'commandStatus' | 'getTodo'>;
  dispatch: (action: TodosAction) => void;
  /** Read at every scheduling, so a changed setting applies to the next check. */
  checkAfterMs: () => number;
  log?: (summary: string, level: 'info' | 'ok' | 'warn' | 'error') => void;
  now?: () => number;
}

export interface PendingWatchdog {
  /** The window's commands changed: watch the accepted ones, forget the others. */
  sync(commands: Iterable<CommandEntry>): void;
  /** After a resync at `seq`: check every pending command now; returns how many. */
  resync(seq: number): number;
  dispose(): void;
}

interface Watched {
  entry: CommandEntry;
  timer: ReturnType<typeof setTimeout> | undefined;
  checking: boolean;
  /** Checks made so far. */
  checks: number;
}

const short = (id: string) => id.slice(0, 8);

export function createPendingWatchdog(deps: PendingWatchdogDeps): PendingWatchdog {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});
  const controller = new AbortController();
  const watched = new Map<string, Watched>();
  let resyncSeq: number | null = null;

  const schedule = (w: Watched, delayMs: number) => {
    clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = undefined;
      void check(w);
    }, Math.max(0, delayMs));
  };

  const settle = (w: Watched, outcome: CommandOutcome) => {
    if (controller.signal.aborted || watched.get(w.entry.commandId!) !== w) return;
    deps.dispatch({ type: 'message', message: outcome, at: now() });
  };

  /** The todo an outcome carries: after a delete nothing; otherwise as the server has it now. */
  const todoFor = async (entry: CommandEntry, status: CommandStatus): Promise<Todo | null> => {
    const needed =
      status.status === 'succeeded'
        ? entry.kind !== 'delete'
        : status.error?.code === 'conflict' || status.error?.code === 'already-exists';
    return needed ? deps.api.getTodo(entry.entityId, controller.signal) : null;
  };

  async function check(w: Watched): Promise<void> {
    const commandId = w.entry.commandId;
    if (!commandId || w.checking || controller.signal.aborted) return;
    w.checking = true;
    w.checks += 1;
    const after = w.checks === 1 ? `no outcome for ${short(commandId)} yet` : `still no outcome for ${short(commandId)}`;
    log(`${after}: asking GET /api/commands/${short(commandId)}…`, 'info');
    try {
      const status = await deps.api.commandStatus(commandId, controller.signal);
      if (status.status === 'accepted') {
        const wait = deps.checkAfterMs();
        log(`${short(commandId)} is still accepted (queued); checking again in ${wait / 1000} s`, 'info');
        schedule(w, wait);
        return;
      }
      const data = await todoFor(w.entry, status);
      if (status.status === 'succeeded') {
        log(`${short(commandId)} succeeded: the push was missed, applying the outcome from its status`, 'ok');
        settle(w, { type: 'command.succeeded', commandId, entityId: w.entry.entityId, status: 'success', data });
      } else {
        const error = status.error ?? { code: 'failed', message: 'failed' };
        log(`${short(commandId)} failed (${error.code}): the push was missed, applying the outcome from its status`, 'warn');
        settle(w, { type: 'command.failed', commandId, entityId: w.entry.entityId, status: 'failure', data, error });
      }
    } catch (thrown) {
      const error = toRequestError(thrown);
      if (error.kind === 'aborted') return;
      if (error.status === 404) {
        log(`${short(commandId)}: the server no longer knows this command; marking it failed`, 'error');
        settle(w, {
          type: 'command.failed',
          commandId,
          entityId: w.entry.entityId,
          status: 'failure',
          data: null,
          error: UNKNOWN_COMMAND,
        });
        return;
      }
      const wait = deps.checkAfterMs();
      log(`status of ${short(commandId)} not available (${describeFailure(error)}); checking again in ${wait / 1000} s`, 'warn');
      schedule(w, wait);
    } finally {
      w.checking = false;
    }
  }

  return {
    sync(commands) {
      const open = new Map<string, CommandEntry>();
      for (const entry of commands) {
        if (entry.origin === 'local' && entry.phase === 'accepted' && entry.commandId) open.set(entry.commandId, entry);
      }
      for (const [commandId, w] of watched) {
        if (open.has(commandId)) continue;
        clearTimeout(w.timer);
        watched.delete(commandId);
      }
      for (const [commandId, entry] of open) {
        const known = watched.get(commandId);
        if (known) {
          known.entry = entry;
          continue;
        }
        const w: Watched = { entry, timer: undefined, checking: false, checks: 0 };
        watched.set(commandId, w);
        const inGap = resyncSeq !== null && entry.userSeq !== null && entry.userSeq < resyncSeq;
        const due = (entry.acceptedAt ?? now()) + deps.checkAfterMs() - now();
        schedule(w, inGap ? 0 : due);
      }
    },
    resync(seq) {
      resyncSeq = seq;
      for (const w of watched.values()) {
        clearTimeout(w.timer);
        w.timer = undefined;
        void check(w);
      }
      return watched.size;
    },
    dispose() {
      controller.abort();
      for (const w of watched.values()) clearTimeout(w.timer);
      watched.clear();
    },
  };
}
