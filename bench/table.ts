// The console summary printed at the end of a run: one line per (workload, engine) with the median
// and spread of ops/s over repetitions, MB/s, per-op latency percentiles, disk and write
// amplification, and granitedb's ratio to the best peer and to classic-level (same run).
import { ENGINES } from './adapters/engine.js';
import { compare } from './bars.js';
import { fmtBytes, fmtNum, fmtRate, fmtRatio, fmtUs } from '../src/bench/format.js';
import { type RunResults, peakRssOf, summarize } from './results.js';
import { WORKLOADS } from '../src/bench/workloads.js';

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

export function renderTable(results: RunResults): string {
  const head = [
    'workload',
    'engine',
    'mode',
    'ops/s',
    'min–max',
    'MB/s',
    'p50 µs',
    'p99 µs',
    'p99.9 µs',
    'disk',
    'WA',
    'g÷best',
    'g÷classic',
  ];
  const rows: string[][] = [head];
  for (const workload of WORKLOADS) {
    if (!results.config.workloads.includes(workload)) continue;
    const cmp = compare(results, workload);
    for (const engine of ENGINES) {
      const s = summarize(results, workload, engine);
      if (s === undefined) continue;
      if (s.skipped !== undefined) {
        rows.push([workload, engine, `skipped: ${s.skipped}`, '', '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const isG = engine === 'granitedb';
      rows.push([
        workload,
        engine,
        s.mode,
        fmtRate(s.opsPerSec.median),
        `${fmtRate(s.opsPerSec.min)}–${fmtRate(s.opsPerSec.max)}`,
        fmtNum(s.mbPerSec),
        fmtUs(s.latency?.p50),
        fmtUs(s.latency?.p99),
        fmtUs(s.latency?.p999),
        s.diskBytes === undefined ? '' : fmtBytes(s.diskBytes),
        s.writeAmp === undefined ? '' : fmtNum(s.writeAmp, 2),
        isG ? fmtRatio(cmp.vsBestPeer) : '',
        isG ? fmtRatio(cmp.vsClassic) : '',
      ]);
    }
  }
  const rss = results.config.engines.map((e) => `${e} ${fmtBytes(peakRssOf(results, e))}`).join(', ');
  const failed = results.children.filter((c) => c.error !== undefined);
  const errors = failed.map((c) => `FAILED ${c.engine} rep ${c.repetition}: ${c.error!.split('\n')[0]}`);
  return [pad(rows), `peak RSS per child (median): ${rss}`, ...errors].join('\n');
}
