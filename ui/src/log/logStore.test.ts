import { describe, expect, it, vi } from 'vitest';
import { createLogStore, redactJson, redactText } from './logStore';

describe('logStore', () => {
  it('keeps entries in order with ids and times, and tells its subscribers', () => {
    let t = 1000;
    const store = createLogStore({ now: () => t++ });
    const listener = vi.fn();
    store.subscribe(listener);
    store.append({ channel: 'http', direction: 'out', level: 'info', summary: 'GET /api/todos' });
    store.append({ channel: 'http', direction: 'in', level: 'ok', summary: '200 GET /api/todos' });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(store.getSnapshot().entries.map((e) => [e.id, e.at, e.summary])).toEqual([
      [1, 1000, 'GET /api/todos'],
      [2, 1001, '200 GET /api/todos'],
    ]);
  });

  it('returns the same snapshot until something changes', () => {
    const store = createLogStore();
    const a = store.getSnapshot();
    expect(store.getSnapshot()).toBe(a);
    store.append({ channel: 'app', direction: 'note', level: 'info', summary: 'x' });
    expect(store.getSnapshot()).not.toBe(a);
  });

  it('stays bounded and keeps noisy ticks from pushing out the rest', () => {
    const store = createLogStore({ capacity: 3, noisyCapacity: 2 });
    for (let i = 0; i < 5; i++) store.append({ channel: 'http', direction: 'out', level: 'info', summary: `h${i}` });
    for (let i = 0; i < 50; i++) store.append({ channel: 'ws', direction: 'in', level: 'info', summary: `s${i}`, noisy: true });
    store.append({ channel: 'ws', direction: 'in', level: 'info', summary: 'last' });
    const snap = store.getSnapshot();
    expect(snap.entries.map((e) => e.summary)).toEqual(['h3', 'h4', 's48', 's49', 'last']);
    expect(snap.noisyCount).toBe(50);
    store.clear();
    expect(store.getSnapshot()).toEqual({ entries: [], noisyCount: 0 });
  });

  it('shortens long details', () => {
    const store = createLogStore();
    store.append({ channel: 'ws', direction: 'in', level: 'info', summary: 'x', detail: 'a'.repeat(5000) });
    expect(store.getSnapshot().entries[0]!.detail!.length).toBeLessThanOrEqual(600);
  });

  it('never shows tokens or tickets', () => {
    expect(redactJson({ userId: 'alice', token: 'secret', nested: { ticket: 't' } })).toBe(
      '{"userId":"alice","token":"•••","nested":{"ticket":"•••"}}',
    );
    expect(redactText('{"ticket":"abc","expiresAt":"x"}')).toBe('{"ticket":"•••","expiresAt":"x"}');
    expect(redactText('ws://h/ws?ticket=abc.def&x=1')).toBe('ws://h/ws?ticket=•••&x=1');
  });
});
