// The results file: what each child measured, plus the run's configuration and machine. The parent
// writes it with --json; report.ts and the console table read only this shape. Summaries take the
// median and the min–max spread over repetitions of one (workload, engine) pair.
import type { EngineName } from './adapters/engine.js';
import type { Machine } from './machine.js';
import type { DiskUsage, IoCounters } from './probe.js';
import type { Outcome, WorkloadName } from './workloads.js';

export const RESULTS_SCHEMA = 1;

export interface WorkloadResult extends Outcome {
  workload: WorkloadName;
  opsPerSec: number;
  mbPerSec: number;
  /** Peak RSS of the child up to the end of this workload, bytes. */
  peakRss: number;
  /** /proc/self/io write counters accumulated during the workload (absent off Linux). */
  io?: IoCounters;
  /** Database size right after a write workload. */
  disk?: DiskUsage;
  /** Device bytes (write_bytes − cancelled_write_bytes) ÷ user bytes, for write workloads. */
  writeAmp?: number;
}

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

export interface RunConfig {
  engines: EngineName[];
  workloads: WorkloadName[];
  num: number;
  repeat: number;
  seed: number;
}

export interface RunResults {
  schema: typeof RESULTS_SCHEMA;
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

export interface Summary {
  runs: number;
  mode: string;
  opsPerSec: Spread;
  mbPerSec: number;
  latency?: { p50: number; p99: number; p999: number };
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
    ? {
        p50: median(measured.map((r) => r.latency!.p50)),
        p99: median(measured.map((r) => r.latency!.p99)),
        p999: median(measured.map((r) => r.latency!.p999)),
      }
    : undefined;
  return {
    runs: measured.length,
    mode: measured[0]!.mode,
    opsPerSec: spread(measured.map((r) => r.opsPerSec)),
    mbPerSec: median(measured.map((r) => r.mbPerSec)),
    latency: lat,
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
