#!/usr/bin/env node
// Medians over several measure.sh result folders:  node summarize.mjs results/fanA-* results/pekko-*
// Per folder and target: fanout (delivered/s, p50/p99, lost, CPU-s per 100k, box busy) and conns
// (RSS per socket from run-compare; the edge's live heap per socket from edge-heap.json).
import fs from 'node:fs';
import path from 'node:path';

const median = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, 'utf8')); } catch { return null; } };

const rows = {}; // key "edge|mode|target" -> list of per-run records
for (const dir of process.argv.slice(2)) {
  if (!fs.statSync(dir).isDirectory()) continue;
  const env = read(path.join(dir, 'edge-env.json'));
  const edge = env ? env.edge : '?';
  for (const f of fs.readdirSync(dir)) {
    const m = /^(ws|socketio|project)-(conns|fanout-r\d+)\.json$/.exec(f);
    if (!m) continue;
    const r = read(path.join(dir, f));
    if (!r) continue;
    const runner = read(path.join(dir, f.replace('.json', '.runner.json'))) || {};
    const target = m[1] === 'project' ? `${edge} edge` : m[1];
    const key = `${edge}|${m[2]}|${target}`;
    const rec = { dir: path.basename(dir) };
    if (m[2] === 'conns') {
      rec.open = runner.open;
      rec.rssPerSocketKB = runner.rssHeldKB && runner.open ? (runner.rssHeldKB - runner.rssBeforeKB) / runner.open : null;
      const heap = m[1] === 'project' ? read(path.join(dir, 'edge-heap.json')) : null;
      rec.livePerSocketKB = heap ? heap.liveBytesPerSocket / 1024 : null;
      rec.rssAfterGcPerSocketKB = heap ? heap.rssBytesPerSocketAfterGc / 1024 : null;
      rec.boxBusy = runner.boxBusyBeforePct;
    } else {
      Object.assign(rec, {
        posted: r.postsPerSec, delivered: r.deliveredPerSec, p50: r.latencyMs.p50, p99: r.latencyMs.p99,
        lost: r.lost, cpu100k: r.serverCpuPer100kDeliveries, cpuPct: r.serverCpuPct, boxBusy: r.machineBusyPct,
        boxBusyBefore: runner.boxBusyBeforePct,
      });
    }
    (rows[key] ||= []).push(rec);
  }
}

const fmt = (x, d = 1) => (x === null || x === undefined ? '-' : Number(x).toFixed(d));
for (const key of Object.keys(rows).sort()) {
  const [edge, mode, target] = key.split('|');
  const list = rows[key];
  const col = (k) => list.map((r) => r[k]);
  const each = (k, d) => col(k).map((x) => fmt(x, d)).join(', ');
  if (mode === 'conns') {
    console.log(`[${edge} run] conns ${target}: RSS/socket KB median ${fmt(median(col('rssPerSocketKB')))} (${each('rssPerSocketKB')})`
      + (target.endsWith('edge') ? `; live heap/socket KB median ${fmt(median(col('livePerSocketKB')))} (${each('livePerSocketKB')}); RSS after full GC ${each('rssAfterGcPerSocketKB')}` : '')
      + `; open ${each('open', 0)}; box busy before ${each('boxBusy', 0)} %`);
  } else {
    console.log(`[${edge} run] ${mode} ${target}: CPU-s/100k median ${fmt(median(col('cpu100k')), 2)} (${each('cpu100k', 2)}); p99 ms median ${fmt(median(col('p99')))} (${each('p99')}); p50 ${each('p50', 2)}; delivered/s ${each('delivered', 0)}; posted/s ${each('posted', 0)}; lost ${each('lost', 0)}; server CPU % ${each('cpuPct', 0)}; box busy % ${each('boxBusy', 0)} (before ${each('boxBusyBefore', 0)})`);
  }
}
