// One child process = one (engine, repetition): runs the selected workloads phase by phase
// (src/bench/phases.ts) in fresh directories under <dir>, with HDR latency histograms.
// Protocol: config as JSON in argv[2]; sends { type: 'progress' } per workload and one
// { type: 'result', result: ChildResult } at the end (with `error` set if anything threw).
import { performance } from 'node:perf_hooks';
import { runPhases } from '../src/bench/phases.js';
import { peakRss } from '../src/bench/probe.js';
import type { Sizes } from '../src/bench/spec.js';
import type { WorkloadName } from '../src/bench/workloads.js';
import { type EngineName, openEngine } from './adapters/engine.js';
import { HdrRecorder } from './latency.js';
import type { ChildResult, WorkloadResult } from './results.js';

export interface WorkerConfig {
  engine: EngineName;
  dir: string;
  sizes: Sizes;
  seed: number;
  repetition: number;
  workloads: WorkloadName[];
}

export type WorkerMessage =
  | { type: 'progress'; engine: EngineName; repetition: number; result: WorkloadResult; reported: boolean }
  | { type: 'result'; result: ChildResult };

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}

async function main(cfg: WorkerConfig): Promise<ChildResult> {
  const started = performance.now();
  const child: ChildResult = {
    engine: cfg.engine,
    version: '',
    notes: [],
    repetition: cfg.repetition,
    pid: process.pid,
    baselineRss: 0,
    peakRss: 0,
    seconds: 0,
    workloads: [],
  };
  try {
    await runPhases({
      open: (dir, options) => openEngine(cfg.engine, dir, options),
      dir: cfg.dir,
      sizes: cfg.sizes,
      seed: cfg.seed,
      workloads: cfg.workloads,
      recorder: () => new HdrRecorder(),
      onOpen(engine) {
        child.version = engine.version;
        child.notes = engine.idleMethod ? [...engine.notes, `idle: ${engine.idleMethod}`] : engine.notes;
        if (child.baselineRss === 0) child.baselineRss = peakRss(); // keys and values allocated
      },
      async onResult(result, reported) {
        if (reported) child.workloads.push(result);
        await send({ type: 'progress', engine: cfg.engine, repetition: cfg.repetition, result, reported });
      },
    });
  } catch (err) {
    child.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  child.peakRss = peakRss();
  child.seconds = (performance.now() - started) / 1000;
  return child;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const result = await main(cfg);
await send({ type: 'result', result });
process.exit(result.error === undefined ? 0 : 1); // engines may leave handles open after an error
