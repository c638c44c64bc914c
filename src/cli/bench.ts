// `granite bench`: the granitedb-only benchmark. Runs the db_bench-style workloads, YCSB A–F and the
// sustained-write scenario of src/bench/ (the same code the peer harness in bench/ runs) in-process
// against a scratch directory: a fresh temporary one by default, removed afterwards, or --dir, which
// must be empty or absent and is left as it was found. Prints one table row per workload as it
// finishes (or one JSON document with --json). Latency percentiles are exact (every sample kept).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtBytes, fmtNum, fmtRate, fmtUs } from '../bench/format.js';
import { openGranite } from '../bench/granite-engine.js';
import { SampleRecorder } from '../bench/latency.js';
import { runPhases } from '../bench/phases.js';
import type { Sizes, WorkloadResult } from '../bench/spec.js';
import { parseWorkloads, SPECS } from '../bench/workloads.js';
import { UserError } from './errors.js';

export interface BenchOptions extends Sizes {
  dir?: string;
  workloads: string;
  seed: number;
  json?: boolean;
}

const COLUMNS: [string, number][] = [
  ['workload', 16],
  ['mode', 24],
  ['ops/s', 9],
  ['MB/s', 8],
  ['p50 µs', 9],
  ['p99 µs', 9],
  ['p99.9 µs', 9],
];

function row(cells: string[]): string {
  return cells
    .map((c, i) => (i < 2 ? c.padEnd(COLUMNS[i]![1]) : c.padStart(COLUMNS[i]![1])))
    .join('  ')
    .trimEnd();
}

function formatResult(r: WorkloadResult): string[] {
  if (r.skipped !== undefined) return [row([r.workload, `skipped: ${r.skipped}`])];
  const lat = r.latency;
  const lines = [
    row([
      r.workload,
      r.mode,
      fmtRate(r.opsPerSec),
      fmtNum(r.mbPerSec),
      fmtUs(lat?.p50),
      fmtUs(lat?.p99),
      fmtUs(lat?.p999),
    ]),
  ];
  const s = r.sustained;
  if (s !== undefined) {
    const pct = (p: { p50: number; p99: number; p999: number }): string =>
      `${fmtUs(p.p50)} / ${fmtUs(p.p99)} / ${fmtUs(p.p999)} µs`;
    const rates = s.timeline.map((t) => t.opsPerSec);
    lines.push(
      `  interval rates ${fmtRate(Math.min(...rates))}–${fmtRate(Math.max(...rates))} keys/s, ` +
        `idle after ${s.settleSeconds.toFixed(1)} s`,
      `  stalls ${s.stalls ? `${s.stalls.count} (${(s.stalls.millis / 1000).toFixed(1)} s: ${s.stalls.detail})` : '–'}, ` +
        `slow batches ${s.slowBatches}`,
      `  write amplification ${fmtNum(s.writeAmp.engine, 2)} (engine)` +
        (s.writeAmp.deviceSettled === undefined ? '' : `, ${fmtNum(s.writeAmp.deviceSettled, 2)} (device)`),
      `  tree ${(s.levels ?? []).map((l) => `L${l.level} ${l.files} files ${fmtBytes(l.bytes)}`).join(', ') || 'empty'}`,
      `  ${s.read.api} p50 / p99 / p99.9 during writes ${pct(s.read.during)}; ` +
        `compacting after them ${s.read.compactingAfterWrites ? pct(s.read.compactingAfterWrites) : '– (no compaction was left)'}; ` +
        `idle ${pct(s.read.idle)}`,
    );
  }
  for (const w of r.warnings ?? []) lines.push(`  warning: ${w}`);
  return lines;
}

/** The scratch directory and how to leave it: removed if we made it, emptied if it was empty. */
function scratch(dir: string | undefined): { path: string; cleanup(): void } {
  if (dir === undefined) {
    const path = mkdtempSync(join(tmpdir(), 'granite-bench-'));
    return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
  }
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0)
      throw new UserError(`${dir} is not empty; bench needs an empty or new directory`);
    return {
      path: dir,
      cleanup: () => {
        for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
      },
    };
  }
  mkdirSync(dir, { recursive: true });
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runBench(o: BenchOptions, version: string): Promise<void> {
  let workloads;
  try {
    workloads = parseWorkloads(o.workloads);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  if (workloads.length === 0) throw new UserError('--workloads names no workload');
  const sizes: Sizes = {
    num: o.num,
    records: o.records,
    operations: o.operations,
    clients: o.clients,
    sustainedNum: o.sustainedNum,
  };
  const dir = scratch(o.dir);
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  try {
    if (!o.json) {
      out(`granitedb ${version}, ${workloads.length} workload(s) in ${dir.path}`);
      out(row(COLUMNS.map(([h]) => h)));
    }
    const results = await runPhases({
      open: (d, options) => openGranite(d, options, version),
      dir: dir.path,
      sizes,
      seed: o.seed,
      workloads,
      recorder: () => new SampleRecorder(),
      onResult(result, reported) {
        if (reported && !o.json) for (const line of formatResult(result)) out(line);
      },
    });
    if (o.json) {
      const described = Object.fromEntries(workloads.map((w) => [w, SPECS[w].describe(sizes)]));
      out(
        JSON.stringify({ engine: 'granitedb', version, sizes, seed: o.seed, workloads: described, results }),
      );
    }
  } finally {
    dir.cleanup();
  }
}
