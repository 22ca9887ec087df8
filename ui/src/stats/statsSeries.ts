/**
 * The last minute of `stats` pushes, as columns ready for the chart. Points older than the window
 * are dropped on every push, so memory stays bounded (two points a second by default). It lives
 * as long as the window, not the chart, so the history survives resizes and re-layouts. While the
 * socket is down, `gap` puts a hole in the lines (nulls: uPlot draws nothing there) instead of a
 * straight line across the time nothing was known.
 */
import type { Stats } from '../socket/protocol';

export interface StatsPoint {
  /** Seconds since the epoch (what uPlot wants on its x axis). */
  t: number;
  queued: number;
  todos: number;
  connections: number;
  users: number;
}

type Gap = { t: number; gap: true };

/** [times, queued, todos, connections]: uPlot's column layout; null is a gap. */
export type StatsColumns = [number[], (number | null)[], (number | null)[], (number | null)[]];

export interface StatsSeries {
  push(stats: Stats, receivedAt?: number): void;
  /** Nothing is known from `at` until the next push (the socket is down). */
  gap(at?: number): void;
  latest(): StatsPoint | null;
  columns(): StatsColumns;
  subscribe(listener: () => void): () => void;
  getVersion(): number;
}

export const WINDOW_SECONDS = 60;

export function createStatsSeries(windowSeconds = WINDOW_SECONDS, now: () => number = Date.now): StatsSeries {
  let points: (StatsPoint | Gap)[] = [];
  const isGap = (p: StatsPoint | Gap): p is Gap => 'gap' in p;
  const changed = () => {
    version++;
    for (const listener of [...listeners]) listener();
  };
  let version = 0;
  const listeners = new Set<() => void>();

  return {
    push(stats, receivedAt) {
      const parsed = stats.timestamp ? Date.parse(stats.timestamp) : NaN;
      const ms = Number.isFinite(parsed) ? parsed : (receivedAt ?? now());
      const point: StatsPoint = {
        t: ms / 1000,
        queued: stats.queued,
        todos: stats.todos,
        connections: stats.connections,
        users: stats.users,
      };
      const from = point.t - windowSeconds;
      // Keep time increasing even if a clock jumps back.
      points = [...points.filter((p) => p.t >= from && p.t < point.t), point];
      changed();
    },
    gap(at) {
      const last = points[points.length - 1];
      if (!last || isGap(last)) return;
      const t = Math.max((at ?? now()) / 1000, last.t + 0.001);
      points = [...points, { t, gap: true }];
      changed();
    },
    latest: () => {
      for (let i = points.length - 1; i >= 0; i--) {
        const p = points[i]!;
        if (!isGap(p)) return p;
      }
      return null;
    },
    columns: () => [
      points.map((p) => p.t),
      points.map((p) => (isGap(p) ? null : p.queued)),
      points.map((p) => (isGap(p) ? null : p.todos)),
      points.map((p) => (isGap(p) ? null : p.connections)),
    ],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getVersion: () => version,
  };
}
