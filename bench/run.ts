// Benchmark runner: granitedb against classic-level, lmdb and rocksdb (PERF.md): the db_bench-style
// workloads, YCSB A–F, and (with --sustained) the sustained-write scenario. Measures ops/s (median and
// min–max over --repeat), MB/s, per-op latency p50/p99/p99.9, peak RSS, database size and write
// amplification; --report writes docs/benchmarks.md and its charts. Flags: see cli.ts (--help).
//
// Process model: every (engine, repetition) is its own child (worker.ts) with a fresh directory
// under os.tmpdir(); repetition r runs the engines in order rotated by r, one child at a time.
// Sequence inside one child (a phase = a fresh database; its first workload always runs, the others
// use its data; src/bench/workloads.ts):
//   seq:       fillseq
//   main:      fillrandom → overwrite → readrandom (async) → readrandomsync → readmissing → seekrandom → readseq
//   single:    fillrandomsingle
//   sync:      fillsync
//   large:     fill4k → readrandom4k
//   ycsb:      ycsb-load → ycsb-a → ycsb-b → ycsb-c → ycsb-f → ycsb-d → ycsb-e
//   sustained: sustained (10M-key fillrandom, then idle)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sizes } from '../src/bench/spec.js';
import type { EngineName } from './adapters/engine.js';
import { engineVersion } from './adapters/versions.js';
import { USAGE, parseArgs } from './cli.js';
import { fmtBytes, fmtRate, fmtUs } from '../src/bench/format.js';
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
  const engines: EngineName[] = opts.engines;
  const sizes: Sizes = {
    num: opts.num,
    records: opts.records,
    operations: opts.operations,
    clients: opts.clients,
    sustainedNum: opts.sustainedNum,
  };

  const results: RunResults = {
    schema: RESULTS_SCHEMA,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    command: ['node', 'dist/bench/run.js', ...process.argv.slice(2)].join(' '),
    config: { engines, workloads: opts.workloads, ...sizes, repeat: opts.repeat, seed: opts.seed },
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
          sizes,
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
  if (opts.report) console.log(`report written to ${await writeReport(results)}`);
  return results.children.some((c) => c.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
