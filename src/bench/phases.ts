// Runs the selected workloads phase by phase (workloads.ts) against one engine: for each phase with a
// selected workload, open a fresh database in <dir>/<phase>, run the phase's first workload (always)
// and its selected ones in order, close, delete the files. Between workloads, untimed: gc when exposed,
// /proc/self/io and disk-usage probes. Used in-process by `granite bench` and per child by bench/worker.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { KeySpace, ValueSource } from './data.js';
import { LARGE_VALUE, SMALL_VALUE } from './db-bench.js';
import type { BenchEngine, EngineOpener } from './engine.js';
import type { RecorderFactory } from './latency.js';
import { diskUsage, peakRss, readIo } from './probe.js';
import type { Context, Sizes, WorkloadResult } from './spec.js';
import { PHASES, SPECS, type WorkloadName } from './workloads.js';

export interface PhasePlan {
  open: EngineOpener;
  /** Parent of the per-phase database directories; must exist. */
  dir: string;
  sizes: Sizes;
  seed: number;
  workloads: readonly WorkloadName[];
  recorder: RecorderFactory;
  /** Called once per opened engine, before its first workload. */
  onOpen?(engine: BenchEngine): void;
  /** Called after every workload; `reported` is false for a phase's unselected fill. */
  onResult?(result: WorkloadResult<WorkloadName>, reported: boolean): Promise<void> | void;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Runs the plan; returns the reported results. Throws the first error. */
export async function runPhases(plan: PhasePlan): Promise<WorkloadResult<WorkloadName>[]> {
  const out: WorkloadResult<WorkloadName>[] = [];
  const { sizes } = plan;
  const keys = new KeySpace();
  const small = new ValueSource(SMALL_VALUE, plan.seed);
  let large: ValueSource | undefined;
  for (const phase of PHASES) {
    const selected = phase.workloads.filter((w) => plan.workloads.includes(w));
    if (selected.length === 0) continue;
    const dbDir = join(plan.dir, phase.name);
    const engine = await plan.open(dbDir, { syncWrites: phase.syncWrites });
    try {
      plan.onOpen?.(engine);
      const ctx: Context = {
        engine,
        sizes,
        num: sizes.num,
        seed: plan.seed,
        keys,
        small,
        large: () => (large ??= new ValueSource(LARGE_VALUE, plan.seed)),
        recorder: plan.recorder,
      };
      for (const name of phase.workloads) {
        const reported = selected.includes(name);
        if (!reported && name !== phase.workloads[0]) continue;
        const spec = SPECS[name];
        if (spec.name === 'fill4k') ctx.large();
        gc();
        const io0 = readIo();
        const o = await spec.run(ctx);
        const io1 = readIo();
        const io =
          io0 && io1
            ? {
                writeBytes: io1.writeBytes - io0.writeBytes,
                cancelledWriteBytes: io1.cancelledWriteBytes - io0.cancelledWriteBytes,
              }
            : undefined;
        const result: WorkloadResult<WorkloadName> = {
          workload: name,
          ...o,
          opsPerSec: o.seconds > 0 ? o.ops / o.seconds : 0,
          mbPerSec: o.seconds > 0 ? o.bytes / o.seconds / 1e6 : 0,
          peakRss: peakRss(),
          io,
        };
        if (spec.kind === 'write' && o.skipped === undefined) {
          result.disk = diskUsage(dbDir);
          if (io) result.writeAmp = Math.max(0, io.writeBytes - io.cancelledWriteBytes) / o.bytes;
        }
        if (reported) out.push(result);
        await plan.onResult?.(result, reported);
      }
    } catch (err) {
      // Not awaited: an engine may hang in close() after an error; the caller removes plan.dir.
      engine.close().catch(() => {});
      throw err;
    }
    await engine.close();
    rmSync(dbDir, { recursive: true, force: true });
  }
  return out;
}
