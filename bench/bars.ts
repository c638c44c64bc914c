// Side-by-side comparisons of one run, and the checks of PERF.md's "core" and "compaction" bars. The thresholds below
// are the bar as PERF.md states it (a specification, not a measurement); every figure they are
// compared with comes from the results file. Ratios are of median ops/s within the same run.
import type { SustainedDetail } from '../src/bench/sustained.js';
import type { WorkloadName } from '../src/bench/workloads.js';
import type { EngineName } from './adapters/engine.js';
import { PEERS } from './adapters/engine.js';
import { type RunResults, type Summary, median, peakRssOf, summarize } from './results.js';

/** PERF.md, "Bars", core: ≥ 1.0x classic-level on these rows; peak RSS ≤ 300 MiB at 1M keys. */
export const CORE_BAR = {
  workloads: [
    'fillseq',
    'fillrandom',
    'overwrite',
    'readrandomsync',
    'readrandom',
    'readmissing',
    'seekrandom',
    'readseq',
  ] as WorkloadName[],
  minRatioVsClassic: 1.0,
  maxPeakRssBytes: 300 * 2 ** 20,
  rssAtNum: 1_000_000,
};

export interface Comparison {
  granite?: Summary;
  classic?: Summary;
  bestPeer?: { engine: EngineName; summary: Summary };
  vsBestPeer?: number;
  vsClassic?: number;
}

const measured = (s: Summary | undefined): s is Summary => s !== undefined && s.skipped === undefined;

export function compare(results: RunResults, workload: WorkloadName): Comparison {
  const granite = summarize(results, workload, 'granitedb');
  const classic = summarize(results, workload, 'classic-level');
  let bestPeer: Comparison['bestPeer'];
  for (const engine of PEERS) {
    const s = summarize(results, workload, engine);
    if (measured(s) && (bestPeer === undefined || s.opsPerSec.median > bestPeer.summary.opsPerSec.median)) {
      bestPeer = { engine, summary: s };
    }
  }
  const ratio = (other: Summary | undefined): number | undefined =>
    measured(granite) && measured(other) ? granite.opsPerSec.median / other.opsPerSec.median : undefined;
  return { granite, classic, bestPeer, vsBestPeer: ratio(bestPeer?.summary), vsClassic: ratio(classic) };
}

export interface BarCheck {
  rows: { workload: WorkloadName; vsClassic?: number; pass?: boolean }[];
  peakRss?: number;
  rssPass?: boolean;
  /** Why the check could not be (fully) applied, if so. */
  caveats: string[];
}

export function checkCoreBar(results: RunResults): BarCheck {
  const caveats: string[] = [];
  const engines = results.config.engines;
  if (!engines.includes('granitedb')) caveats.push('granitedb was not in this run');
  if (!engines.includes('classic-level')) caveats.push('classic-level was not in this run');
  const rows = CORE_BAR.workloads.map((workload) => {
    const { vsClassic } = compare(results, workload);
    return {
      workload,
      vsClassic,
      pass: vsClassic === undefined ? undefined : vsClassic >= CORE_BAR.minRatioVsClassic,
    };
  });
  const peakRss = peakRssOf(results, 'granitedb', CORE_BAR.workloads);
  if (results.config.num !== CORE_BAR.rssAtNum) {
    caveats.push(
      `the RSS bar is defined at ${CORE_BAR.rssAtNum} keys; this run used --num ${results.config.num}`,
    );
  }
  const rssPass = peakRss === undefined ? undefined : peakRss <= CORE_BAR.maxPeakRssBytes;
  return { rows, peakRss, rssPass, caveats };
}

/**
 * PERF.md, "Bars", compaction: a 10M-key fillrandom sustains ≥ classic-level's rate with write
 * amplification ≤ classic-level's; p99.9 getSync while compactions run ≤ 2x the idle p99.9.
 */
export const COMPACTION_BAR = {
  keys: 10_000_000,
  minRateVsClassic: 1.0,
  maxWriteAmpVsClassic: 1.0,
  maxP999DuringVsIdle: 2.0,
};

/** Median figures of one engine's sustained runs. */
export interface SustainedSummary {
  runs: number;
  keys: number;
  opsPerSec: number;
  /** Slowest and fastest interval rates (medians over runs). */
  minInterval: number;
  maxInterval: number;
  settleSeconds: number;
  slowBatches: number;
  batchP999Ms: number;
  batchMaxMs: number;
  stallCount?: number;
  stallSeconds?: number;
  deviceAmpWrites?: number;
  deviceAmpSettled?: number;
  engineAmp?: number;
  readDuring: { p50: number; p99: number; p999: number };
  readDuringCompaction?: { p50: number; p99: number; p999: number; count: number };
  /** Reads after the writes while the engine reported a compaction running (no writes beside it). */
  readCompactingAfterWrites?: { p50: number; p99: number; p999: number; count: number };
  readIdle: { p50: number; p99: number; p999: number };
  /** The run whose rate is the median: its timeline and tree shape are shown. */
  representative: SustainedDetail;
}

export function sustainedRuns(results: RunResults, engine: EngineName): SustainedDetail[] {
  return results.children
    .filter((c) => c.engine === engine)
    .flatMap((c) => c.workloads.filter((w) => w.workload === 'sustained' && w.sustained !== undefined))
    .map((w) => w.sustained!);
}

export function summarizeSustained(results: RunResults, engine: EngineName): SustainedSummary | undefined {
  const runs = sustainedRuns(results, engine);
  if (runs.length === 0) return undefined;
  const m = (f: (d: SustainedDetail) => number | undefined): number | undefined => {
    const xs = runs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length === 0 ? undefined : median(xs);
  };
  const rate = (d: SustainedDetail): number => d.keys / d.writeSeconds;
  const sorted = [...runs].sort((a, b) => rate(a) - rate(b));
  const pct = (f: (d: SustainedDetail) => { p50: number; p99: number; p999: number } | undefined) => ({
    p50: m((d) => f(d)?.p50) ?? 0,
    p99: m((d) => f(d)?.p99) ?? 0,
    p999: m((d) => f(d)?.p999) ?? 0,
  });
  const during = runs.filter((d) => d.read.duringCompaction !== undefined);
  const after = runs.filter((d) => d.read.compactingAfterWrites !== undefined);
  return {
    runs: runs.length,
    keys: runs[0]!.keys,
    opsPerSec: m(rate)!,
    minInterval: m((d) => Math.min(...d.timeline.map((t) => t.opsPerSec)))!,
    maxInterval: m((d) => Math.max(...d.timeline.map((t) => t.opsPerSec)))!,
    settleSeconds: m((d) => d.settleSeconds)!,
    slowBatches: m((d) => d.slowBatches)!,
    batchP999Ms: m((d) => d.batchLatency.p999 / 1000)!,
    batchMaxMs: m((d) => d.batchLatency.max / 1000)!,
    stallCount: m((d) => d.stalls?.count),
    stallSeconds: m((d) => (d.stalls === undefined ? undefined : d.stalls.millis / 1000)),
    deviceAmpWrites: m((d) => d.writeAmp.deviceWrites),
    deviceAmpSettled: m((d) => d.writeAmp.deviceSettled),
    engineAmp: m((d) => d.writeAmp.engine),
    readDuring: pct((d) => d.read.during),
    readDuringCompaction:
      during.length === 0
        ? undefined
        : { ...pct((d) => d.read.duringCompaction), count: m((d) => d.read.duringCompaction?.count) ?? 0 },
    readCompactingAfterWrites:
      after.length === 0
        ? undefined
        : {
            ...pct((d) => d.read.compactingAfterWrites),
            count: m((d) => d.read.compactingAfterWrites?.count) ?? 0,
          },
    readIdle: pct((d) => d.read.idle),
    representative: sorted[(sorted.length - 1) >> 1]!,
  };
}

export interface CompactionCheck {
  rows: { what: string; figure: string; bar: string; pass?: boolean }[];
  caveats: string[];
}

/** Checks the compaction bar on the sustained runs of granitedb and classic-level. */
export function checkCompactionBar(results: RunResults): CompactionCheck {
  const g = summarizeSustained(results, 'granitedb');
  const c = summarizeSustained(results, 'classic-level');
  const caveats: string[] = [];
  if (g === undefined) caveats.push('granitedb has no sustained run');
  if (c === undefined) caveats.push('classic-level has no sustained run');
  if (g !== undefined && g.keys !== COMPACTION_BAR.keys)
    caveats.push(`the bar is defined at ${COMPACTION_BAR.keys} keys; this run wrote ${g.keys}`);
  const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined || b === 0 ? undefined : a / b;
  const fmt = (x: number | undefined): string => (x === undefined ? '–' : `${x.toFixed(2)}x`);
  const rate = ratio(g?.opsPerSec, c?.opsPerSec);
  const amp = ratio(g?.deviceAmpSettled, c?.deviceAmpSettled);
  const read = ratio(g?.readDuring.p999, g?.readIdle.p999);
  const readC = ratio(c?.readDuring.p999, c?.readIdle.p999);
  const after = ratio(g?.readCompactingAfterWrites?.p999, g?.readIdle.p999);
  const afterC = ratio(c?.readCompactingAfterWrites?.p999, c?.readIdle.p999);
  /** A read-tail row: checked against the bar, or shown for reference only. */
  const readRow = (what: string, r: number | undefined, checked = true): CompactionCheck['rows'][number] =>
    checked
      ? {
          what,
          figure: fmt(r),
          bar: `≤ ${COMPACTION_BAR.maxP999DuringVsIdle.toFixed(1)}x`,
          pass: r === undefined ? undefined : r <= COMPACTION_BAR.maxP999DuringVsIdle,
        }
      : { what, figure: fmt(r), bar: '–' };
  return {
    rows: [
      {
        what: 'write rate, granitedb ÷ classic-level',
        figure: fmt(rate),
        bar: `≥ ${COMPACTION_BAR.minRateVsClassic.toFixed(1)}x`,
        pass: rate === undefined ? undefined : rate >= COMPACTION_BAR.minRateVsClassic,
      },
      {
        what: 'write amplification (device, until idle), granitedb ÷ classic-level',
        figure: fmt(amp),
        bar: `≤ ${COMPACTION_BAR.maxWriteAmpVsClassic.toFixed(1)}x`,
        pass: amp === undefined ? undefined : amp <= COMPACTION_BAR.maxWriteAmpVsClassic,
      },
      readRow('granitedb p99.9 getSync during writes ÷ idle', read),
      readRow('classic-level p99.9 getSync during writes ÷ idle (for reference)', readC, false),
      readRow('granitedb p99.9 getSync while compacting after the writes (no writes beside) ÷ idle', after),
      readRow(
        'classic-level p99.9 getSync while compacting after the writes ÷ idle (for reference)',
        afterC,
        false,
      ),
    ],
    caveats,
  };
}
