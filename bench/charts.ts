// The report's charts: Vega-Lite specs built from a results file, compiled to Vega and rendered to SVG
// headlessly (vega View with renderer 'none', toSVG(); no canvas, no browser). One SVG per chart in
// docs/benchmarks/; text widths are vega's estimates, so the files are identical for identical results.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { type TopLevelSpec, compile } from 'vega-lite';
import { SPECS, WORKLOADS, type WorkloadName } from '../src/bench/workloads.js';
import { ENGINES, type EngineName } from './adapters/engine.js';
import { summarizeSustained } from './bars.js';
import { type RunResults, summarize } from './results.js';

export interface Chart {
  file: string;
  title: string;
  /** One line under the link in the report. */
  caption: string;
}

const COLORS: Record<EngineName, string> = {
  granitedb: '#d62728',
  'classic-level': '#1f77b4',
  lmdb: '#2ca02c',
  rocksdb: '#ff7f0e',
};

type Row = Record<string, string | number>;

function engineColor(engines: readonly EngineName[]) {
  return {
    field: 'engine',
    type: 'nominal' as const,
    sort: [...engines],
    scale: { domain: [...engines], range: engines.map((e) => COLORS[e]) },
    legend: { orient: 'top' as const, title: null },
  };
}

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const CONFIG = { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 } };

function enginesOf(r: RunResults): EngineName[] {
  return ENGINES.filter((e) => r.config.engines.includes(e));
}

function workloadsOf(r: RunResults, group: string): WorkloadName[] {
  return WORKLOADS.filter((w) => r.config.workloads.includes(w) && SPECS[w].group === group);
}

/** ops/s per workload per engine, as a ratio to classic-level when it ran (log scale either way). */
function throughputSpec(r: RunResults, workloads: WorkloadName[], title: string): TopLevelSpec | undefined {
  const engines = enginesOf(r);
  const base = engines.includes('classic-level') ? 'classic-level' : undefined;
  const rows: Row[] = [];
  for (const w of workloads) {
    const ref = base === undefined ? undefined : summarize(r, w, base);
    for (const e of engines) {
      const s = summarize(r, w, e);
      if (s === undefined || s.skipped !== undefined || s.opsPerSec.median <= 0) continue;
      if (base !== undefined && (ref === undefined || ref.skipped !== undefined)) continue;
      const value = ref === undefined ? s.opsPerSec.median : s.opsPerSec.median / ref.opsPerSec.median;
      rows.push({ workload: w, engine: e, value });
    }
  }
  if (rows.length === 0) return undefined;
  const yTitle = base === undefined ? 'ops/s (log scale)' : 'ops/s ÷ classic-level, same run (log scale)';
  const bars = {
    mark: { type: 'bar' as const },
    encoding: {
      x: {
        field: 'workload',
        type: 'nominal' as const,
        sort: workloads,
        title: null,
        axis: { labelAngle: -30 },
      },
      xOffset: { field: 'engine', sort: engines },
      y: {
        field: 'value',
        type: 'quantitative' as const,
        scale: { type: 'log' as const },
        stack: null,
        title: yTitle,
      },
      color: engineColor(engines),
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: CONFIG,
    width: { step: 14, for: 'offset' },
    height: 260,
    data: { values: rows },
    layer:
      base === undefined
        ? [bars]
        : [
            bars,
            { mark: { type: 'rule', color: 'black', strokeDash: [4, 3] }, encoding: { y: { datum: 1 } } },
          ],
  } as TopLevelSpec;
}

/** p50 / p99 / p99.9 per workload per engine, one panel per percentile (log scale). */
function latencySpec(r: RunResults, workloads: WorkloadName[], title: string): TopLevelSpec | undefined {
  const engines = enginesOf(r);
  const rows: Row[] = [];
  const used: WorkloadName[] = [];
  for (const w of workloads) {
    for (const e of engines) {
      const lat = summarize(r, w, e)?.latency;
      if (lat === undefined) continue;
      if (!used.includes(w)) used.push(w);
      rows.push({ workload: w, engine: e, percentile: 'p50', us: Math.max(0.01, lat.p50) });
      rows.push({ workload: w, engine: e, percentile: 'p99', us: Math.max(0.01, lat.p99) });
      rows.push({ workload: w, engine: e, percentile: 'p99.9', us: Math.max(0.01, lat.p999) });
    }
  }
  if (rows.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: CONFIG,
    data: { values: rows },
    facet: { row: { field: 'percentile', type: 'nominal', sort: ['p50', 'p99', 'p99.9'], title: null } },
    spec: {
      width: { step: 12, for: 'offset' },
      height: 150,
      mark: 'bar',
      encoding: {
        x: { field: 'workload', type: 'nominal', sort: used, title: null, axis: { labelAngle: -30 } },
        xOffset: { field: 'engine', sort: engines },
        y: {
          field: 'us',
          type: 'quantitative',
          scale: { type: 'log' },
          stack: null,
          title: 'µs per operation (log)',
        },
        color: engineColor(engines),
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

function sustainedThroughputSpec(r: RunResults): TopLevelSpec | undefined {
  const engines = enginesOf(r);
  const rows: Row[] = [];
  for (const e of engines) {
    const s = summarizeSustained(r, e);
    if (s === undefined) continue;
    for (const t of s.representative.timeline)
      rows.push({ engine: e, keys: t.keys / 1e6, rate: Math.round(t.opsPerSec) });
  }
  if (rows.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Sustained fillrandom: write rate per interval',
    config: CONFIG,
    width: 520,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'keys', type: 'quantitative', title: 'million keys written' },
      y: { field: 'rate', type: 'quantitative', title: 'keys/s in the interval', scale: { zero: true } },
      color: engineColor(engines.filter((e) => rows.some((x) => x.engine === e))),
    },
  } as TopLevelSpec;
}

function sustainedReadSpec(r: RunResults): TopLevelSpec | undefined {
  const engines = enginesOf(r);
  const rows: Row[] = [];
  for (const e of engines) {
    const s = summarizeSustained(r, e);
    if (s === undefined) continue;
    const add = (when: string, p: { p50: number; p99: number; p999: number }) => {
      rows.push({ engine: e, when, percentile: 'p50', us: Math.max(0.01, p.p50) });
      rows.push({ engine: e, when, percentile: 'p99', us: Math.max(0.01, p.p99) });
      rows.push({ engine: e, when, percentile: 'p99.9', us: Math.max(0.01, p.p999) });
    };
    add('during writes', s.readDuring);
    if (s.readCompactingAfterWrites !== undefined) add('compacting, no writes', s.readCompactingAfterWrites);
    add('idle', s.readIdle);
  }
  if (rows.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Point reads during sustained writes, while compacting after them, and when idle',
    config: CONFIG,
    data: { values: rows },
    facet: { column: { field: 'engine', type: 'nominal', sort: engines, title: null } },
    spec: {
      width: { step: 28 },
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'percentile', type: 'nominal', sort: ['p50', 'p99', 'p99.9'], title: null },
        xOffset: { field: 'when', sort: ['during writes', 'compacting, no writes', 'idle'] },
        y: {
          field: 'us',
          type: 'quantitative',
          scale: { type: 'log' },
          stack: null,
          title: 'µs per read (log)',
        },
        color: {
          field: 'when',
          type: 'nominal',
          sort: ['during writes', 'compacting, no writes', 'idle'],
          scale: { range: ['#9467bd', '#7f7f7f'] },
          legend: { orient: 'top', title: null },
        },
      },
    },
  } as TopLevelSpec;
}

/** Renders every chart the results have data for into `dir`; returns what was written, in order. */
export async function writeCharts(r: RunResults, dir: string): Promise<Chart[]> {
  const db = workloadsOf(r, 'db_bench');
  const ycsb = workloadsOf(r, 'ycsb');
  const normalized = r.config.engines.includes('classic-level');
  const vs = normalized ? ' ÷ classic-level' : '';
  const wanted: [string, string, string, TopLevelSpec | undefined][] = [
    [
      'dbbench-throughput.svg',
      `db_bench throughput${vs}`,
      `Median ops/s per workload${normalized ? ', divided by classic-level in the same run (1 = parity)' : ''}; log scale.`,
      throughputSpec(r, db, `db_bench workloads: ops/s${vs}`),
    ],
    [
      'dbbench-latency.svg',
      'db_bench latency',
      'p50, p99 and p99.9 µs per operation on the single-operation workloads; log scale, one panel per percentile.',
      latencySpec(r, db, 'db_bench workloads: latency per operation'),
    ],
    [
      'ycsb-throughput.svg',
      `YCSB throughput${vs}`,
      `Median ops/s of the load and of workloads A–F${normalized ? ', divided by classic-level in the same run' : ''}; log scale.`,
      throughputSpec(r, ycsb, `YCSB: ops/s${vs}`),
    ],
    [
      'ycsb-latency.svg',
      'YCSB latency',
      'p50, p99 and p99.9 µs per operation (all operation types together), per workload; log scale.',
      latencySpec(r, ycsb, 'YCSB: latency per operation'),
    ],
    [
      'sustained-throughput.svg',
      'Sustained writes: rate over time',
      'Keys per second in each interval of the sustained fillrandom (the median run per engine).',
      sustainedThroughputSpec(r),
    ],
    [
      'sustained-reads.svg',
      'Sustained writes: read latency',
      'Point-read latency sampled while the writes and their compactions run, and with the tree idle; log scale.',
      sustainedReadSpec(r),
    ],
  ];
  mkdirSync(dir, { recursive: true });
  const out: Chart[] = [];
  for (const [file, title, caption, spec] of wanted) {
    if (spec === undefined) continue;
    writeFileSync(join(dir, file), (await render(spec)) + '\n');
    out.push({ file, title, caption });
  }
  return out;
}
