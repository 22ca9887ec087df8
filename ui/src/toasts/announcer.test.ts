import { describe, expect, it } from 'vitest';
import { createAnnouncer } from './announcer';

describe('the announcer', () => {
  it('announces own failures assertively and the rest politely', () => {
    const a = createAnnouncer();
    a.record({ id: 'outcome:c1', kind: 'success', text: 'Confirmed: added A' });
    a.record({ id: 'failed:k2', kind: 'error', text: 'Could not add B' });
    a.record({ id: 'others:bob', kind: 'info', text: 'bob added C', by: 'bob' });
    expect(a.get().assertive?.text).toBe('Could not add B');
    expect(a.get().polite?.text).toBe('bob added C');
  });

  it('keeps a capped history in which a replaced notice keeps its place', () => {
    const a = createAnnouncer(3);
    a.record({ id: 'others:bob', kind: 'info', text: 'bob added C', by: 'bob' });
    a.record({ id: 'x', kind: 'success', text: 'x' });
    a.record({ id: 'others:bob', kind: 'info', text: 'bob made 2 changes', by: 'bob' });
    a.record({ id: 'y', kind: 'success', text: 'y' });
    a.record({ id: 'z', kind: 'success', text: 'z' });
    expect(a.get().history.map((n) => n.text)).toEqual(['x', 'y', 'z']);
    const b = createAnnouncer(3);
    b.record({ id: 'others:bob', kind: 'info', text: 'bob added C', by: 'bob' });
    b.record({ id: 'others:bob', kind: 'info', text: 'bob made 2 changes', by: 'bob' });
    expect(b.get().history.map((n) => n.text)).toEqual(['bob made 2 changes']);
  });
});
