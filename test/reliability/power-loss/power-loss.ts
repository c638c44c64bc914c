// Simulated power loss at every file-system call (docs/reliability.md, section 2). For a fixed seeded
// workload (fault-workload.ts), a dry run numbers its counted calls (create, append, sync, rename, unlink,
// syncDir, ...); then for every k the workload runs again on a FaultInjectingFileSystem with crashAt k (call
// k completes, every later call fails: the process is gone) and each crash image — 'drop-unsynced',
// 'keep-unsynced' and 'tear' with several seeds — must open, show a state equal to a prefix of the writes
// no shorter than the contract's bound for that mode, pass the orphan check, and reopen to the same state.
// Also per k: the run reached call k making the same calls as the dry run (determinism), every error the
// engine raised after the crash was a typed IO error, no call hung, no rejection went unhandled.
import { FaultInjectingFileSystem, type CrashMode } from '../../../src/fs/index.js';
import {
  baseWithDir,
  dryRun,
  formatFailure,
  ImageChecker,
  mixSeed,
  RejectionTrap,
  type Failure,
} from '../common/fault-sweep.js';
import { describe } from '../common/fault-image.js';
import {
  drive,
  faultOptions,
  keyUniverse,
  makeWorkload,
  typedIOProblem,
  withDeadline,
  type WorkloadShape,
} from '../common/fault-workload.js';

export type PowerLossMode = 'drop-unsynced' | 'keep-unsynced' | 'tear';

export interface PowerLossConfig {
  seed: number;
  shape: WorkloadShape;
  style: 'leveled' | 'tiered';
  modes: readonly PowerLossMode[];
  /** Tear images per crash point, each with its own seed. */
  tearSeeds: number;
  /** Crash points from..to (1-based, inclusive; default every call of the dry run). */
  from?: number;
  to?: number;
  /** Only crash points whose call ("op path") contains this text, e.g. "sync /db/MANIFEST". */
  match?: string;
  deadlineMs: number;
  /** Stop after this many failures. @default 20 */
  maxFailures?: number;
  /** Progress lines (one per ~5% of the crash points) and failures as they happen. */
  log?: (line: string) => void;
  /** The command that replays this configuration, without the k range (failures add --from/--to). */
  replay: string;
}

export interface PowerLossReport {
  seed: number;
  /** Counted calls of the dry run = crash points available. */
  calls: number;
  census: Record<string, number>;
  crashPoints: number;
  /** Crash images judged (points x images per point) and how many distinct ones were opened. */
  statesChecked: number;
  distinctImages: number;
  failures: Failure[];
  millis: number;
}

export async function runPowerLoss(cfg: PowerLossConfig): Promise<PowerLossReport> {
  const t0 = performance.now();
  const log = cfg.log ?? (() => undefined);
  const steps = makeWorkload(cfg.seed, cfg.shape);
  const options = faultOptions(cfg.style);
  const dry = await dryRun(steps, options, cfg.deadlineMs);
  const n = dry.calls.length;
  const from = Math.max(1, cfg.from ?? 1);
  const to = Math.min(n, cfg.to ?? n);
  const checker = new ImageChecker(options, keyUniverse(cfg.shape), cfg.deadlineMs);
  const failures: Failure[] = [];
  const maxFailures = cfg.maxFailures ?? 20;
  const trap = new RejectionTrap();
  trap.install();
  const tick = Math.max(1, Math.floor((to - from + 1) / 20));
  try {
    for (let k = from; k <= to && failures.length < maxFailures; k++) {
      const call = dry.calls[k - 1];
      if (cfg.match !== undefined && !`${call?.op} ${call?.path}`.includes(cfg.match)) continue;
      const fail = (what: string, problems: string[]): void => {
        const f = { k, what, call, problems, replay: `${cfg.replay} --from ${k} --to ${k}` };
        failures.push(f);
        log(formatFailure(f));
      };
      const fs = new FaultInjectingFileSystem(baseWithDir(), { crashAt: k, seed: mixSeed(cfg.seed, k) });
      const r = await drive(steps, {
        options: { ...options, fileSystem: fs },
        stopOnError: true,
        deadlineMs: cfg.deadlineMs,
      });
      const live = [...r.problems];
      if (r.db !== undefined) {
        await withDeadline(r.db.close(), cfg.deadlineMs, 'close after the crash').catch((err: unknown) => {
          const p = typedIOProblem(err, 'close after the crash');
          if (p !== undefined) live.push(p);
        });
      }
      const last = fs.calls.at(-1);
      if (fs.callCount !== k || last?.op !== call?.op || last?.path !== call?.path) {
        live.push(
          `not deterministic: the run stopped at call ${fs.callCount} (${last?.op} ${last?.path}), ` +
            `the dry run's call ${k} is ${call?.op} ${call?.path}`,
        );
      }
      for (const reason of await trap.drain()) live.push(`unhandled rejection: ${describe(reason)}`);
      if (live.length > 0) fail('live run', live);
      if (r.stopped === 'hang') continue;
      const images: [string, CrashMode, number | undefined][] = [];
      for (const mode of cfg.modes) {
        if (mode !== 'tear') images.push([mode, mode, undefined]);
        else
          for (let i = 0; i < cfg.tearSeeds; i++)
            images.push([`tear seed ${i}`, 'tear', mixSeed(cfg.seed, k, i)]);
      }
      for (const [what, mode, seed] of images) {
        const image = fs.crash(mode, seed === undefined ? {} : { seed });
        const problems = await checker.check(image, r.history, mode);
        for (const reason of await trap.drain()) problems.push(`unhandled rejection: ${describe(reason)}`);
        if (problems.length > 0) fail(what, problems);
      }
      if ((k - from + 1) % tick === 0 || k === to) {
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        log(
          `  crash point ${k}/${to}: ${checker.checked} states checked, ${checker.distinct} distinct images, ` +
            `${failures.length} failures, ${secs} s`,
        );
      }
    }
  } finally {
    trap.uninstall();
  }
  return {
    seed: cfg.seed,
    calls: n,
    census: dry.census,
    crashPoints: to - from + 1,
    statesChecked: checker.checked,
    distinctImages: checker.distinct,
    failures,
    millis: performance.now() - t0,
  };
}
