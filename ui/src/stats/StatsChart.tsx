/** The last minute of `stats`: queued commands, todos and connections, live. */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { WINDOW_SECONDS, type StatsSeries } from './statsSeries';

const SERIES = [
  { key: 'queued', label: 'Queued', color: '#d97706' },
  { key: 'todos', label: 'Todos', color: '#4f46e5' },
  { key: 'connections', label: 'Connections', color: '#0d9488' },
] as const;

const HEIGHT = 170;

export function StatsChart({ series }: { series: StatsSeries }) {
  const holder = useRef<HTMLDivElement>(null);
  useSyncExternalStore(series.subscribe, series.getVersion);
  const latest = series.latest();

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (_u, _min, max) => [max - WINDOW_SECONDS, max] },
        y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.2))] },
      },
      axes: [
        {
          stroke: '#64748b',
          grid: { stroke: '#e2e8f0', width: 1 },
          ticks: { show: false },
          // Fixed marks counted back from the newest point: "-60 s" … "now".
          splits: (_u, _axis, _min, max) => [60, 45, 30, 15, 0].map((ago) => max - ago),
          values: (_u, splits) => {
            const end = splits[splits.length - 1] ?? 0;
            return splits.map((t) => {
              const ago = Math.round(end - t);
              return ago <= 0 ? 'now' : `-${ago} s`;
            });
          },
        },
        {
          stroke: '#64748b',
          grid: { stroke: '#e2e8f0', width: 1 },
          ticks: { show: false },
          size: 36,
          // Counts: whole numbers only.
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000],
        },
      ],
      series: [
        {},
        ...SERIES.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false } })),
      ],
    };
    const plot = new uPlot(options, series.columns(), el);
    let frame = 0;
    const unsubscribe = series.subscribe(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        plot.setData(series.columns());
      });
    });
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      unsubscribe();
      resize.disconnect();
      plot.destroy();
    };
  }, [series]);

  return (
    <section className="panel panel--stats" aria-labelledby="stats-title">
      <header className="panel__header">
        <h2 id="stats-title" className="panel__title">
          Last minute
        </h2>
        <span className="panel__aside" data-testid="users-online" data-users={latest?.users}>
          {latest ? `${latest.users} user${latest.users === 1 ? '' : 's'} online` : 'waiting for stats…'}
        </span>
      </header>
      <dl className="tiles">
        {SERIES.map((s) => (
          <div key={s.key} className="tile">
            <dt className="tile__label">
              <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.label}
            </dt>
            <dd className="tile__value">{latest ? latest[s.key] : '–'}</dd>
          </div>
        ))}
      </dl>
      <div
        className="chart"
        data-testid="stats-chart"
        role="img"
        aria-label="Queued commands, todos and connections over the last minute"
        ref={holder}
      />
    </section>
  );
}
