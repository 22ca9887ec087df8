/**
 * The last minute of `stats` pushes, as columns ready for the chart. Points older than the window
 * are dropped on every push, so memory stays bounded (two points a second by default).
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

/** [times, queued, todos, connections]: uPlot's column layout. */
export type StatsColumns = [number[], number[], number[], number[]];

export interface StatsSeries {
  push(stats: Stats, receivedAt?: number): void;
  latest(): StatsPoint | null;
  columns(): StatsColumns;
  subscribe(listener: () => void): () => void;
  getVersion(): number;
}

export const WINDOW_SECONDS = 60;

export function createStatsSeries(windowSeconds = WINDOW_SECONDS, now: () => number = Date.now): StatsSeries {
  let points: StatsPoint[] = [];
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
      version++;
      for (const listener of [...listeners]) listener();
    },
    latest: () => points[points.length - 1] ?? null,
    columns: () => [
      points.map((p) => p.t),
      points.map((p) => p.queued),
      points.map((p) => p.todos),
      points.map((p) => p.connections),
    ],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getVersion: () => version,
  };
}
