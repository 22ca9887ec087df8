/** The words of the toasts: what a command did, and what someone else did. */
import type { CommandError, Todo, TodoPatch } from '../api/types';
import type { ChangeAction } from '../socket/protocol';

export type NoticeKind = 'success' | 'error' | 'info';

export interface Notice {
  /** Stable per event, so that the same event never shows two toasts. */
  id: string;
  kind: NoticeKind;
  text: string;
  /** Another user's change: by whom (such notices are grouped per user). */
  by?: string;
}

export type CommandKind = 'create' | 'update' | 'delete';

const quote = (text: string) => `'${text.length > 60 ? `${text.slice(0, 59)}…` : text}'`;

/** "add 'Buy milk'", "complete 'Buy milk'", "rename 'a' to 'b'", "delete 'Buy milk'". */
export function describeCommand(kind: CommandKind, label: string, patch: TodoPatch): string {
  switch (kind) {
    case 'create':
      return `add ${quote(patch.text ?? label)}`;
    case 'delete':
      return `delete ${quote(label)}`;
    case 'update':
      if (patch.text !== undefined && patch.text !== label) return `rename ${quote(label)} to ${quote(patch.text)}`;
      if (patch.completed === true) return `complete ${quote(label)}`;
      if (patch.completed === false) return `reopen ${quote(label)}`;
      return `change ${quote(label)}`;
  }
}

const PAST: Record<string, string> = { add: 'added', complete: 'completed', reopen: 'reopened', rename: 'renamed', delete: 'deleted', change: 'changed' };

/** "added 'Buy milk'" from "add 'Buy milk'". */
export function pastTense(description: string): string {
  const space = description.indexOf(' ');
  const verb = description.slice(0, space);
  return `${PAST[verb] ?? verb} ${description.slice(space + 1)}`;
}

const PLAIN: Record<string, string> = {
  network: 'No connection to the server',
  timeout: 'The server did not answer in time',
  protocol: 'The server’s answer could not be read',
  aborted: 'Cancelled',
  'processing-failed': 'The server could not carry it out',
  'not-found': 'This todo no longer exists',
  conflict: 'Someone changed it first',
  'already-exists': 'A todo with this id exists already',
  unloading: 'The server was just putting this todo away',
  'http-429': 'The server is busy',
  unknown: 'The server no longer knows this command',
};

/** The reason in plain words, without the code. */
export function plainReason(error: CommandError): string {
  const known = PLAIN[error.code];
  if (known) return known;
  const status = /^http-(\d+)$/.exec(error.code)?.[1];
  if (status && Number(status) >= 500) return 'The server had a problem';
  // a 400 says which rule the request broke (a character pasted in that the server refuses...)
  if (status) return error.detail ? `The server refused it: ${error.detail}` : 'The server refused it';
  const message = error.message.trim();
  return message && message !== error.code ? message : 'Something went wrong';
}

/** "No connection to the server (network)": plain words first, the code second. */
export function reason(error: CommandError): string {
  return `${plainReason(error)} (${error.code})`;
}

/** "bob completed 'Buy milk'": what someone else's change did, seen from the list before it. */
export function describeChange(
  by: string,
  action: ChangeAction | undefined,
  before: Todo | undefined,
  after: Todo | null,
): string {
  if (!after || action === 'delete') return `${by} deleted ${quote(before?.text ?? 'a todo')}`;
  if (!before || action === 'create') return `${by} added ${quote(after.text)}`;
  if (before.text !== after.text) return `${by} renamed ${quote(before.text)} to ${quote(after.text)}`;
  if (before.completed !== after.completed) return `${by} ${after.completed ? 'completed' : 'reopened'} ${quote(after.text)}`;
  return `${by} changed ${quote(after.text)}`;
}
