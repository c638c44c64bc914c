// db_bench-style benchmark runner: granitedb against classic-level, lmdb and rocksdb (PERF.md).
// Measures ops/s (median and min–max over --repeat), MB/s, per-op latency p50/p99/p99.9 on the
// single-op rows, peak RSS, database size and write amplification. Flags: see cli.ts (--help).
//
// Process model: every (engine, repetition) is its own child (worker.ts) with a fresh directory
// under os.tmpdir(); repetition r runs the engines in order rotated by r, one child at a time.
// Sequence inside one child (a phase = a fresh database; its fill always runs, reads use its data):
//   seq:    fillseq
//   main:   fillrandom → overwrite → readrandom (async) → readrandomsync → readmissing → seekrandom → readseq
//   single: fillrandomsingle
//   sync:   fillsync
//   large:  fill4k → readrandom4k
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineName } from './adapters/engine.js';
import { graniteAvailable } from './adapters/granitedb.js';
import { engineVersion } from './adapters/versions.js';
import { USAGE, parseArgs } from './cli.js';
import { fmtBytes, fmtRate, fmtUs } from './format.js';
import { describeMachine } from './machine.js';
import { writeReport } from './report.js';
import { type ChildResult, RESULTS_SCHEMA, type RunResults } from './results.js';
import { renderTable } from './table.js';
import type { WorkerConfig, WorkerMessage } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** The temp directory of the running child, removed on Ctrl-C (the child gets the signal too). */
let currentDir: string | undefined;
process.once('SIGINT', () => {
  if (currentDir !== undefined) rmSync(currentDir, { recursive: true, force: true });
  process.exit(130);
});

function runChild(cfg: WorkerConfig): Promise<ChildResult> {
  return new Promise((resolve) => {
    let result: ChildResult | undefined;
    const child = fork(WORKER, [JSON.stringify(cfg)], { execArgv: ['--expose-gc'], stdio: 'inherit' });
    child.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'result') result = msg.result;
      else {
        const r = msg.result;
        const lat = r.latency ? `  p50 ${fmtUs(r.latency.p50)} µs  p99 ${fmtUs(r.latency.p99)} µs` : '';
        const what = r.skipped
          ? `skipped (${r.skipped})`
          : `${fmtRate(r.opsPerSec)} ops/s  ${r.mbPerSec.toFixed(1)} MB/s${lat}`;
        const tag = msg.reported ? '' : '  (setup)';
        console.log(`  ${msg.engine.padEnd(13)} ${r.workload.padEnd(16)} ${what}${tag}`);
      }
    });
    child.on('exit', (code, signal) => {
      resolve(
        result ?? {
          engine: cfg.engine,
          version: '',
          notes: [],
          repetition: cfg.repetition,
          pid: child.pid ?? -1,
          baselineRss: 0,
          peakRss: 0,
          seconds: 0,
          workloads: [],
          error: `child exited with ${signal ?? `code ${code}`} before reporting`,
        },
      );
    });
  });
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  let engines: EngineName[] = opts.engines;
  if (engines.includes('granitedb') && !graniteAvailable()) {
    console.warn('granitedb is not built yet (no dist/src/index.js): running without it');
    engines = engines.filter((e) => e !== 'granitedb');
  }
  if (engines.length === 0) {
    console.error('nothing to run; try --engines classic-level,lmdb,rocksdb\n' + USAGE);
    return 2;
  }

  const results: RunResults = {
    schema: RESULTS_SCHEMA,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    command: ['node', 'dist/bench/run.js', ...process.argv.slice(2)].join(' '),
    config: { engines, workloads: opts.workloads, num: opts.num, repeat: opts.repeat, seed: opts.seed },
    machine: describeMachine(),
    versions: Object.fromEntries(engines.map((e) => [e, engineVersion(e)])),
    children: [],
  };

  for (let rep = 0; rep < opts.repeat; rep++) {
    const order = engines.map((_, i) => engines[(i + rep) % engines.length]!);
    console.log(`repetition ${rep + 1}/${opts.repeat}: ${order.join(', ')}`);
    for (const engine of order) {
      const dir = mkdtempSync(join(os.tmpdir(), `granitedb-bench-${engine}-`));
      currentDir = dir;
      try {
        const child = await runChild({
          engine,
          dir,
          num: opts.num,
          seed: opts.seed,
          repetition: rep,
          workloads: opts.workloads,
        });
        results.children.push(child);
        const status = child.error ? `FAILED: ${child.error.split('\n')[0]}` : 'ok';
        console.log(
          `  ${engine}: ${status}, ${child.seconds.toFixed(0)} s, peak RSS ${fmtBytes(child.peakRss)}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  results.finishedAt = new Date().toISOString();

  console.log(`\n${renderTable(results)}`);
  if (opts.json !== undefined) {
    writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
    console.log(`results written to ${opts.json}`);
  }
  if (opts.report) console.log(`report written to ${writeReport(results)}`);
  return results.children.some((c) => c.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
