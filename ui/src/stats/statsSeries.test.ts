import { describe, expect, it, vi } from 'vitest';
import type { Stats } from '../socket/protocol';
import { createStatsSeries } from './statsSeries';

const stats = (at: string, queued: number, todos = 5, connections = 2): Stats => ({
  type: 'stats',
  todos,
  queued,
  connections,
  users: 1,
  timestamp: at,
});

describe('statsSeries', () => {
  it('keeps the last minute only, as columns for the chart', () => {
    const series = createStatsSeries(60);
    const listener = vi.fn();
    series.subscribe(listener);
    series.push(stats('2026-11-26T14:00:00.000Z', 1));
    series.push(stats('2026-11-26T14:00:30.000Z', 2));
    series.push(stats('2026-11-26T14:01:00.000Z', 3));
    expect(series.columns()[1]).toEqual([1, 2, 3]);
    series.push(stats('2026-11-26T14:01:00.500Z', 4, 6, 3));
    const [t, queued, todos, connections] = series.columns();
    expect(queued).toEqual([2, 3, 4]);
    expect(todos).toEqual([5, 5, 6]);
    expect(connections).toEqual([2, 2, 3]);
    expect(t[0]).toBe(Date.parse('2026-11-26T14:00:30.000Z') / 1000);
    expect(series.latest()).toMatchObject({ queued: 4, todos: 6, connections: 3 });
    expect(listener).toHaveBeenCalledTimes(4);
    expect(series.getVersion()).toBe(4);
  });

  it('stays bounded over a long run', () => {
    const series = createStatsSeries(60);
    const start = Date.parse('2026-11-26T14:00:00.000Z');
    for (let i = 0; i < 10_000; i++) series.push(stats(new Date(start + i * 500).toISOString(), i));
    expect(series.columns()[0].length).toBe(121);
  });

  it('uses the arrival time when the server gave none, and keeps time increasing', () => {
    let now = 100_000;
    const series = createStatsSeries(60, () => now);
    series.push({ type: 'stats', todos: 1, queued: 0, connections: 1, users: 1 });
    now = 99_000;
    series.push({ type: 'stats', todos: 2, queued: 0, connections: 1, users: 1 });
    expect(series.columns()[0]).toEqual([99]);
  });

  it('shows a gap while the socket is down, once, and goes on after it', () => {
    const series = createStatsSeries(60);
    series.push(stats('2026-11-26T14:00:00.000Z', 1));
    series.gap(Date.parse('2026-11-26T14:00:01.000Z'));
    series.gap(Date.parse('2026-11-26T14:00:05.000Z'));
    series.push(stats('2026-11-26T14:00:10.000Z', 2));
    const [t, queued] = series.columns();
    expect(queued).toEqual([1, null, 2]);
    expect(t[1]).toBe(Date.parse('2026-11-26T14:00:01.000Z') / 1000);
    expect(series.latest()).toMatchObject({ queued: 2 });
  });
});
