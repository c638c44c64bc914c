// Side-by-side comparisons of one run, and the check of PERF.md's "core" bar. The thresholds below
// are the bar as PERF.md states it (a specification, not a measurement); every figure they are
// compared with comes from the results file. Ratios are of median ops/s within the same run.
import type { EngineName } from './adapters/engine.js';
import { PEERS } from './adapters/engine.js';
import { type RunResults, type Summary, peakRssOf, summarize } from './results.js';
import type { WorkloadName } from './workloads.js';

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
