/**
 * The calm part of the toasts: what reaches the screen, and how often.
 *
 * - Other users' changes are grouped per user: the first one shows as it is ("bob added 'Milk'");
 *   more from the same user while that toast is up replace it with a count ("bob made 12
 *   changes"), so a burst is one toast, not a wall.
 * - At most `maxOthers` users' groups at once; beyond that, further users fold into one
 *   "N more people made changes" toast.
 * - This window's own outcomes (success, error) always go through, one each.
 *
 * Plain TypeScript: `show` puts a notice on screen (a notice with an id already shown replaces
 * it).
 */
import type { Notice } from '../commands/notices';

type Show = (notice: Notice) => void;

export interface FeedOptions {
  /** A user's group stays open this long after its latest change. */
  groupMs?: number;
  /** Users with their own group at once. */
  maxOthers?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface NoticeFeed {
  /** Puts the notice, or its group, on screen through `show`. */
  push(notice: Notice, show: Show): void;
  dispose(): void;
}

interface Group {
  count: number;
  timer: unknown;
}

export const GROUP_MS = 5000;
export const MAX_OTHERS = 3;
const OVERFLOW = 'others:more';

export function createNoticeFeed(options: FeedOptions = {}): NoticeFeed {
  const groupMs = options.groupMs ?? GROUP_MS;
  const maxOthers = options.maxOthers ?? MAX_OTHERS;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const groups = new Map<string, Group>();
  let overflow: { users: Set<string>; changes: number; timer: unknown } | null = null;

  const closeLater = (by: string, group: Group) => {
    clearTimer(group.timer);
    group.timer = setTimer(() => groups.delete(by), groupMs);
  };

  const pushOther = (notice: Notice & { by: string }, show: Show) => {
    const by = notice.by;
    const group = groups.get(by);
    if (group) {
      group.count += 1;
      closeLater(by, group);
      show({ id: `others:${by}`, kind: 'info', text: `${by} made ${group.count} changes`, by });
      return;
    }
    if (groups.size >= maxOthers) {
      if (!overflow) overflow = { users: new Set(), changes: 0, timer: undefined };
      const more = overflow;
      more.users.add(by);
      more.changes += 1;
      clearTimer(more.timer);
      more.timer = setTimer(() => {
        if (overflow === more) overflow = null;
      }, groupMs);
      const people = more.users.size === 1 ? '1 more person' : `${more.users.size} more people`;
      show({ id: OVERFLOW, kind: 'info', text: `${people} made ${more.changes} change${more.changes === 1 ? '' : 's'}` });
      return;
    }
    const fresh: Group = { count: 1, timer: undefined };
    groups.set(by, fresh);
    closeLater(by, fresh);
    show({ ...notice, id: `others:${by}` });
  };

  return {
    push(notice, show) {
      if (notice.kind === 'info' && notice.by !== undefined) pushOther({ ...notice, by: notice.by }, show);
      else show(notice);
    },
    dispose() {
      for (const group of groups.values()) clearTimer(group.timer);
      groups.clear();
      if (overflow) clearTimer(overflow.timer);
      overflow = null;
    },
  };
}
