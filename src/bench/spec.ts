// What a workload is: a spec (name, kind, description, run) that runs against a Context and returns an
// Outcome; the phase runner (phases.ts) adds probes and makes it a WorkloadResult.
import type { KeySpace, ValueSource } from './data.js';
import type { BenchEngine } from './engine.js';
import type { LatencyRecorder, LatencySummary } from './latency.js';
import type { DiskUsage, IoCounters } from './probe.js';
import type { SustainedDetail } from './sustained.js';
import type { YcsbState } from './ycsb.js';

/** Operation counts, from the command line. */
export interface Sizes {
  /** Keys of the db_bench workloads (100-byte values); the 4 KiB rows use num/5. */
  num: number;
  /** YCSB records loaded before the run workloads. */
  records: number;
  /** YCSB operations per run workload (A–F). */
  operations: number;
  /** YCSB client loops: operations in flight. */
  clients: number;
  /** Keys written by the sustained-write scenario. */
  sustainedNum: number;
}

export const DEFAULT_SIZES: Readonly<Sizes> = Object.freeze({
  num: 1_000_000,
  records: 200_000,
  operations: 200_000,
  clients: 16,
  sustainedNum: 10_000_000,
});

/** Everything a workload needs; built once per child (or CLI run), before any clock starts. */
export interface Context {
  engine: BenchEngine;
  sizes: Sizes;
  /** sizes.num, the db_bench key count. */
  num: number;
  seed: number;
  keys: KeySpace;
  small: ValueSource;
  large: () => ValueSource;
  /** A fresh latency recorder (HDR in the harness, exact samples in the CLI). */
  recorder: () => LatencyRecorder;
  /** Set by ycsb-load; the YCSB run workloads of the same phase continue from it. */
  ycsb?: YcsbState;
}

export interface Outcome {
  ops: number;
  seconds: number;
  /** Key + value bytes moved by the operations (user bytes, for MB/s and write amplification). */
  bytes: number;
  /** How the operations were issued, e.g. 'batch 1000' or 'async ×256'. */
  mode: string;
  latency?: LatencySummary;
  /** Latency per operation type (YCSB: read, update, insert, scan, rmw). */
  opLatency?: Record<string, LatencySummary>;
  /** The sustained-write scenario's figures. */
  sustained?: SustainedDetail;
  /** Set when the engine cannot run this workload; then nothing was measured. */
  skipped?: string;
  /** Anything a reader of the figure should know (e.g. keys not found). */
  warnings?: string[];
}

export type WorkloadGroup = 'db_bench' | 'ycsb' | 'sustained';

export interface WorkloadSpec<Name extends string = string> {
  name: Name;
  group: WorkloadGroup;
  kind: 'write' | 'read' | 'mixed';
  /** One line for the report: what is measured, with the operation counts for `sizes`. */
  describe(sizes: Sizes): string;
  run(ctx: Context): Promise<Outcome>;
}

export interface WorkloadResult<Name extends string = string> extends Outcome {
  workload: Name;
  opsPerSec: number;
  mbPerSec: number;
  /** Peak RSS of the process up to the end of this workload, bytes. */
  peakRss: number;
  /** /proc/self/io write counters accumulated during the workload (absent off Linux). */
  io?: IoCounters;
  /** Database size right after a write workload. */
  disk?: DiskUsage;
  /** Device bytes (write_bytes − cancelled_write_bytes) ÷ user bytes, for write workloads. */
  writeAmp?: number;
}

export function skipped(reason: string): Outcome {
  return { ops: 0, seconds: 0, bytes: 0, mode: '-', skipped: reason };
}
