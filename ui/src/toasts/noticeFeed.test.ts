import { describe, expect, it, vi } from 'vitest';
import type { Notice } from '../commands/notices';
import { createNoticeFeed } from './noticeFeed';

function setup(maxOthers = 3) {
  vi.useFakeTimers();
  const shown: Notice[] = [];
  const inner = createNoticeFeed({ groupMs: 5000, maxOthers });
  const feed = { push: (n: Notice) => inner.push(n, (m) => shown.push(m)) };
  /** What is on screen: the latest notice per id. */
  const screen = () => [...new Map(shown.map((n) => [n.id, n.text])).values()];
  return { feed, shown, screen };
}

const change = (by: string, n: number): Notice => ({ id: `changed:${by}-${n}`, kind: 'info', text: `${by} added 'item ${n}'`, by });

describe('the notice feed', () => {
  it('groups a burst of one user’s changes into one toast that counts them', () => {
    const { feed, screen } = setup();
    for (let i = 1; i <= 12; i++) feed.push(change('bob', i));
    expect(screen()).toEqual(['bob made 12 changes']);
    vi.useRealTimers();
  });

  it('shows a single change as it is, and starts a new group after a quiet spell', () => {
    const { feed, screen, shown } = setup();
    feed.push(change('bob', 1));
    expect(screen()).toEqual(["bob added 'item 1'"]);
    vi.advanceTimersByTime(5000);
    feed.push(change('bob', 2));
    expect(shown.map((n) => n.text)).toEqual(["bob added 'item 1'", "bob added 'item 2'"]);
    vi.useRealTimers();
  });

  it('caps the groups: further users fold into one toast', () => {
    const { feed, screen } = setup(2);
    for (const by of ['bob', 'carol', 'dave', 'erin', 'dave']) feed.push(change(by, 1));
    expect(screen()).toEqual(["bob added 'item 1'", "carol added 'item 1'", '2 more people made 3 changes']);
    vi.useRealTimers();
  });

  it('lets this window’s own outcomes through one by one', () => {
    const { feed, shown } = setup();
    feed.push({ id: 'outcome:c1', kind: 'success', text: "Confirmed: added 'A'" });
    feed.push({ id: 'outcome:c2', kind: 'error', text: "Could not add 'B'" });
    feed.push(change('bob', 1));
    expect(shown.map((n) => n.id)).toEqual(['outcome:c1', 'outcome:c2', 'others:bob']);
    vi.useRealTimers();
  });
});
