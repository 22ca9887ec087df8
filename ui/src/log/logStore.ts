/**
 * What the log terminal shows: every HTTP attempt and answer and every socket frame, newest last.
 * A small external store (read with useSyncExternalStore); memory stays bounded whatever happens:
 * ordinary entries and noisy ones (the `stats` tick twice a second) have rings of their own, so
 * the ticks never push the interesting lines out.
 */
export type LogChannel = 'http' | 'ws' | 'app';
export type LogDirection = 'out' | 'in' | 'note';
export type LogLevel = 'info' | 'ok' | 'warn' | 'error';

export interface LogEntry {
  id: number;
  at: number;
  channel: LogChannel;
  direction: LogDirection;
  level: LogLevel;
  summary: string;
  /** Body or frame text, already shortened and free of secrets. */
  detail?: string;
  /** Marks frequent entries such as `stats`, which the terminal hides unless asked. */
  noisy?: boolean;
  /** The todo this line concerns, if any (see `logEntity.ts`). */
  entityId?: string;
}

export type NewLogEntry = Omit<LogEntry, 'id' | 'at'> & { at?: number };

export interface LogSnapshot {
  entries: readonly LogEntry[];
  /** Noisy entries received since the last clear, including those no longer kept. */
  noisyCount: number;
}

export interface LogStore {
  append(entry: NewLogEntry): void;
  clear(): void;
  getSnapshot(): LogSnapshot;
  subscribe(listener: () => void): () => void;
}

export interface LogStoreOptions {
  capacity?: number;
  noisyCapacity?: number;
  now?: () => number;
}

export const MAX_DETAIL_CHARS = 600;

export function createLogStore(options: LogStoreOptions = {}): LogStore {
  const capacity = options.capacity ?? 400;
  const noisyCapacity = options.noisyCapacity ?? 40;
  const now = options.now ?? Date.now;
  let nextId = 1;
  let plain: LogEntry[] = [];
  let noisy: LogEntry[] = [];
  let noisyCount = 0;
  let snapshot: LogSnapshot = { entries: [], noisyCount: 0 };
  const listeners = new Set<() => void>();

  const publish = () => {
    snapshot = { entries: merge(plain, noisy), noisyCount };
    for (const listener of [...listeners]) listener();
  };

  return {
    append(entry) {
      const full: LogEntry = {
        ...entry,
        id: nextId++,
        at: entry.at ?? now(),
        ...(entry.detail !== undefined ? { detail: shorten(entry.detail) } : {}),
      };
      if (full.noisy) {
        noisyCount++;
        noisy = [...noisy.slice(Math.max(0, noisy.length - noisyCapacity + 1)), full];
      } else {
        plain = [...plain.slice(Math.max(0, plain.length - capacity + 1)), full];
      }
      publish();
    },
    clear() {
      plain = [];
      noisy = [];
      noisyCount = 0;
      publish();
    },
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function merge(a: readonly LogEntry[], b: readonly LogEntry[]): LogEntry[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  const out: LogEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.id < b[j]!.id)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

export function shorten(text: string, max = MAX_DETAIL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const SECRET_KEYS = new Set(['token', 'ticket']);

/** JSON for the log, with tokens and tickets blanked out: the log is on screen, often shared. */
export function redactJson(value: unknown): string {
  try {
    return JSON.stringify(value, (key, v: unknown) => (SECRET_KEYS.has(key) && typeof v === 'string' ? '•••' : v));
  } catch {
    return String(value);
  }
}

/** The same for a frame or body already in text form. */
export function redactText(text: string): string {
  try {
    return redactJson(JSON.parse(text));
  } catch {
    return text.replace(/(ticket=)[^&\s]+/g, '$1•••');
  }
}
