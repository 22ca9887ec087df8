/** The words of the toasts: what a command did, and what someone else did. */
import type { CommandError, Todo, TodoPatch } from '../api/types';
import type { ChangeAction } from '../socket/protocol';

export type NoticeKind = 'success' | 'error' | 'info';

export interface Notice {
  /** Stable per event, so that the same event never shows two toasts. */
  id: string;
  kind: NoticeKind;
  text: string;
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

export function reason(error: CommandError): string {
  const message = error.message.trim();
  if (!message || message === error.code) return error.code;
  return message.includes(error.code) ? message : `${message} (${error.code})`;
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
