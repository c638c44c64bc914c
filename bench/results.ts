// The results file: what each child measured, plus the run's configuration and machine. The parent
// writes it with --json; report.ts and the console table read only this shape. Summaries take the
// median and the min–max spread over repetitions of one (workload, engine) pair.
import type { LatencySummary } from '../src/bench/latency.js';
import { DEFAULT_SIZES, type Sizes, type WorkloadResult as BaseResult } from '../src/bench/spec.js';
import type { WorkloadName } from '../src/bench/workloads.js';
import type { EngineName } from './adapters/engine.js';
import type { Machine } from './machine.js';

/** 2: sizes (YCSB, sustained) in the config; per-op-type latency; the sustained detail. */
export const RESULTS_SCHEMA = 2;

export type WorkloadResult = BaseResult<WorkloadName>;

export interface ChildResult {
  engine: EngineName;
  version: string;
  notes: readonly string[];
  repetition: number;
  pid: number;
  /** Peak RSS before any database was opened (keys and value pool allocated), bytes. */
  baselineRss: number;
  /** Peak RSS over the child's whole life, bytes. */
  peakRss: number;
  seconds: number;
  workloads: WorkloadResult[];
  error?: string;
}

export interface RunConfig extends Sizes {
  engines: EngineName[];
  workloads: WorkloadName[];
  repeat: number;
  seed: number;
}

/** The sizes of a run; a schema-1 file has only num, so the rest are the defaults of its time. */
export const sizesOf = (c: RunConfig): Sizes => ({ ...DEFAULT_SIZES, ...c });

export interface RunResults {
  schema: 1 | typeof RESULTS_SCHEMA;
  startedAt: string;
  finishedAt: string;
  command: string;
  config: RunConfig;
  machine: Machine;
  versions: Partial<Record<EngineName, string>>;
  children: ChildResult[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
}

function medianPercentiles(xs: readonly LatencySummary[]): Percentiles {
  return {
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    p999: median(xs.map((x) => x.p999)),
  };
}

export interface Summary {
  runs: number;
  mode: string;
  opsPerSec: Spread;
  mbPerSec: number;
  latency?: Percentiles;
  /** Per operation type (YCSB), medians over repetitions. */
  opLatency?: Record<string, Percentiles>;
  diskBytes?: number;
  writeAmp?: number;
  skipped?: string;
  warnings: string[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

function medianOf<T>(rows: readonly T[], pick: (r: T) => number | undefined): number | undefined {
  const xs = rows.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
  return xs.length === 0 ? undefined : median(xs);
}

/** Median over repetitions of one (workload, engine); undefined if it never ran. */
export function summarize(
  results: RunResults,
  workload: WorkloadName,
  engine: EngineName,
): Summary | undefined {
  const rows = results.children
    .filter((c) => c.engine === engine)
    .flatMap((c) => c.workloads.filter((w) => w.workload === workload));
  if (rows.length === 0) return undefined;
  const warnings = [...new Set(rows.flatMap((r) => r.warnings ?? []))];
  const measured = rows.filter((r) => r.skipped === undefined);
  if (measured.length === 0)
    return { runs: 0, mode: '-', opsPerSec: spread([0]), mbPerSec: 0, skipped: rows[0]!.skipped, warnings };
  const lat = measured.every((r) => r.latency !== undefined)
    ? medianPercentiles(measured.map((r) => r.latency!))
    : undefined;
  let opLatency: Record<string, Percentiles> | undefined;
  for (const op of new Set(measured.flatMap((r) => Object.keys(r.opLatency ?? {})))) {
    const xs = measured.map((r) => r.opLatency?.[op]).filter((x): x is LatencySummary => x !== undefined);
    (opLatency ??= {})[op] = medianPercentiles(xs);
  }
  return {
    runs: measured.length,
    mode: measured[0]!.mode,
    opsPerSec: spread(measured.map((r) => r.opsPerSec)),
    mbPerSec: median(measured.map((r) => r.mbPerSec)),
    latency: lat,
    opLatency,
    diskBytes: medianOf(measured, (r) => r.disk?.allocated),
    writeAmp: medianOf(measured, (r) => r.writeAmp),
    warnings,
  };
}

/** Median peak RSS of an engine's children, over all workloads or up to the last of `upTo`. */
export function peakRssOf(
  results: RunResults,
  engine: EngineName,
  upTo?: readonly WorkloadName[],
): number | undefined {
  const children = results.children.filter((c) => c.engine === engine && c.error === undefined);
  return medianOf(children, (c) => {
    if (upTo === undefined) return c.peakRss;
    const rows = c.workloads.filter((w) => upTo.includes(w.workload));
    return rows.length === 0 ? undefined : Math.max(...rows.map((w) => w.peakRss));
  });
}

/**
 * One results file from several runs (e.g. one per workload group): children concatenated, engines
 * and workloads united, sizes and seed from the first run that selected each workload group, repeat
 * the largest, commands one per line. Figures of a workload are still only compared within one run
 * unless several runs measured it; the report lists every command.
 */
export function mergeResults(list: readonly RunResults[]): RunResults {
  if (list.length === 1) return list[0]!;
  const first = list[0]!;
  const config: RunConfig = { ...first.config, engines: [], workloads: [] };
  for (const r of list) {
    for (const e of r.config.engines) if (!config.engines.includes(e)) config.engines.push(e);
    for (const w of r.config.workloads) if (!config.workloads.includes(w)) config.workloads.push(w);
    config.repeat = Math.max(config.repeat, r.config.repeat);
    const sizes = sizesOf(r.config);
    if (r.config.workloads.some((w) => w.startsWith('ycsb-'))) {
      config.records = sizes.records;
      config.operations = sizes.operations;
      config.clients = sizes.clients;
    }
    if (r.config.workloads.includes('sustained')) config.sustainedNum = sizes.sustainedNum;
    if (r.config.workloads.some((w) => !w.startsWith('ycsb-') && w !== 'sustained')) config.num = sizes.num;
  }
  return {
    ...first,
    schema: RESULTS_SCHEMA,
    startedAt: list.map((r) => r.startedAt).sort()[0]!,
    finishedAt: list
      .map((r) => r.finishedAt)
      .sort()
      .at(-1)!,
    command: list.map((r) => r.command).join('\n'),
    config,
    versions: Object.assign({}, ...list.map((r) => r.versions)),
    children: list.flatMap((r) => r.children),
  };
}
