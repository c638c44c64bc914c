// One child process = one (engine, repetition). Sequence, for each phase of workloads.ts whose
// workloads were selected: open a fresh database in <dir>/<phase>, run the phase's fill (always; it
// is only reported if selected) and then its selected workloads in order, close, delete the files.
// Between workloads, untimed: gc, /proc/self/io and disk-usage probes, a progress message.
// Protocol: config as JSON in argv[2]; sends { type: 'progress' } per workload and one
// { type: 'result', result: ChildResult } at the end (with `error` set if anything threw).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type EngineName, openEngine } from './adapters/engine.js';
import { KeySpace, ValueSource } from './data.js';
import { diskUsage, peakRss, readIo } from './probe.js';
import type { ChildResult, WorkloadResult } from './results.js';
import { type Context, LARGE_VALUE, PHASES, SMALL_VALUE, SPECS, type WorkloadName } from './workloads.js';

export interface WorkerConfig {
  engine: EngineName;
  dir: string;
  num: number;
  seed: number;
  repetition: number;
  workloads: WorkloadName[];
}

export type WorkerMessage =
  | { type: 'progress'; engine: EngineName; repetition: number; result: WorkloadResult; reported: boolean }
  | { type: 'result'; result: ChildResult };

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}

async function main(cfg: WorkerConfig): Promise<ChildResult> {
  const started = performance.now();
  const keys = new KeySpace(cfg.num);
  const small = new ValueSource(SMALL_VALUE, cfg.seed);
  let large: ValueSource | undefined;
  const child: ChildResult = {
    engine: cfg.engine,
    version: '',
    notes: [],
    repetition: cfg.repetition,
    pid: process.pid,
    baselineRss: peakRss(),
    peakRss: 0,
    seconds: 0,
    workloads: [],
  };
  try {
    for (const phase of PHASES) {
      const selected = phase.workloads.filter((w) => cfg.workloads.includes(w));
      if (selected.length === 0) continue;
      const dbDir = join(cfg.dir, phase.name);
      const engine = await openEngine(cfg.engine, dbDir, { syncWrites: phase.syncWrites });
      child.version = engine.version;
      child.notes = engine.notes;
      const ctx: Context = {
        engine,
        num: cfg.num,
        seed: cfg.seed,
        keys,
        small,
        large: () => (large ??= new ValueSource(LARGE_VALUE, cfg.seed)),
      };
      for (const name of phase.workloads) {
        const reported = selected.includes(name);
        if (!reported && name !== phase.workloads[0]) continue;
        const spec = SPECS[name];
        if (spec.name === 'fill4k') ctx.large();
        gc();
        const io0 = readIo();
        const out = await spec.run(ctx);
        const io1 = readIo();
        const io =
          io0 && io1
            ? {
                writeBytes: io1.writeBytes - io0.writeBytes,
                cancelledWriteBytes: io1.cancelledWriteBytes - io0.cancelledWriteBytes,
              }
            : undefined;
        const result: WorkloadResult = {
          workload: name,
          ...out,
          opsPerSec: out.seconds > 0 ? out.ops / out.seconds : 0,
          mbPerSec: out.seconds > 0 ? out.bytes / out.seconds / 1e6 : 0,
          peakRss: peakRss(),
          io,
        };
        if (spec.kind === 'write') {
          result.disk = diskUsage(dbDir);
          if (io) result.writeAmp = Math.max(0, io.writeBytes - io.cancelledWriteBytes) / out.bytes;
        }
        if (reported) child.workloads.push(result);
        await send({ type: 'progress', engine: cfg.engine, repetition: cfg.repetition, result, reported });
      }
      await engine.close();
      rmSync(dbDir, { recursive: true, force: true });
    }
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
