// Pieces both fault sweeps (power-loss/, io-errors/) share: the base file system, the dry run that numbers
// every file-system call of a workload, unhandled-rejection capture, the check of one crash image against a
// History, and the text of a report.
import {
  FaultInjectingFileSystem,
  MemoryFileSystem,
  type CrashMode,
  type FaultOptions,
  type FsCall,
} from '../../../src/fs/index.js';
import type { Options } from '../../../src/index.js';
import type { History } from './fault-history.js';
import { imageHash, inspectImage, type ImageOutcome } from './fault-image.js';
import { DIR, drive, type DriveConfig, type Step } from './fault-workload.js';

/** A MemoryFileSystem holding the empty directory DIR, made before the fault layer wraps it, so the directory
 *  itself is durable and only the database's own files are subject to crashes and faults. */
export function baseWithDir(): MemoryFileSystem {
  const base = new MemoryFileSystem();
  base.mkdir(DIR);
  return base;
}

export interface DryRun {
  /** Every counted call of the fault-free run, in order (calls[k - 1] is call k). */
  calls: FsCall[];
  /** Calls by operation, e.g. { append: 812, sync: 140, ... }, and tables created. */
  census: Record<string, number>;
}

/** Runs `steps` once without faults (reads counted when `countReads`); any problem is an error. `peek` is
 *  made for the run's file system, as in the runs with faults, so both number their calls alike. */
export async function dryRun(
  steps: readonly Step[],
  options: Partial<Options>,
  deadlineMs: number,
  countReads = false,
  peek?: (fs: FaultInjectingFileSystem, faults: FaultOptions) => DriveConfig['peek'],
): Promise<DryRun> {
  const faults: FaultOptions = { countReads };
  const fs = new FaultInjectingFileSystem(baseWithDir(), { ...faults, logLimit: 1 << 30 });
  const r = await drive(steps, {
    options: { ...options, fileSystem: fs },
    stopOnError: true,
    deadlineMs,
    peek: peek?.(fs, faults),
  });
  await r.db?.close();
  if (r.problems.length > 0 || r.errors > 0 || r.stopped !== undefined) {
    throw new Error(`the fault-free dry run failed (${r.stopped ?? ''}): ${r.problems.join('\n')}`);
  }
  const census: Record<string, number> = {};
  for (const c of fs.calls) census[c.op] = (census[c.op] ?? 0) + 1;
  census['tables'] = fs.calls.filter((c) => c.op === 'create' && c.path.endsWith('.sst')).length;
  census['manifests'] = fs.calls.filter((c) => c.op === 'create' && /MANIFEST-/.test(c.path)).length;
  return { calls: fs.calls.slice(), census };
}

/** Collects unhandled rejections while installed (the fault tests count each as a failure). */
export class RejectionTrap {
  readonly seen: unknown[] = [];
  #listener = (reason: unknown): void => {
    this.seen.push(reason);
  };
  install(): void {
    process.on('unhandledRejection', this.#listener);
  }
  uninstall(): void {
    process.off('unhandledRejection', this.#listener);
  }
  /** Rejections seen since the last call (after letting pending ones surface). */
  async drain(): Promise<unknown[]> {
    await new Promise((r) => setImmediate(r));
    return this.seen.splice(0);
  }
}

/** Which lower bound a crash mode gets: keep-unsynced is a process crash, the others are power loss. */
export function boundOf(mode: CrashMode): 'process-crash' | 'power-loss' {
  return mode === 'keep-unsynced' ? 'process-crash' : 'power-loss';
}

/** Caches image outcomes by content, counting what was opened. */
export class ImageChecker {
  readonly #cache = new Map<string, ImageOutcome>();
  readonly #options: Partial<Options>;
  readonly #keys: readonly string[];
  readonly #deadlineMs: number;
  checked = 0;
  constructor(options: Partial<Options>, keys: readonly string[], deadlineMs: number) {
    this.#options = options;
    this.#keys = keys;
    this.#deadlineMs = deadlineMs;
  }
  get distinct(): number {
    return this.#cache.size;
  }

  /** Problems of `image` judged against `history` with the bound of `mode`; [] when it is right. */
  async check(image: MemoryFileSystem, history: History, mode: CrashMode): Promise<string[]> {
    this.checked++;
    const h = imageHash(image);
    let outcome = this.#cache.get(h);
    if (outcome === undefined) {
      outcome = await inspectImage(image, this.#options, this.#keys, this.#deadlineMs);
      this.#cache.set(h, outcome);
    }
    const problems = [...outcome.problems];
    if (outcome.state !== undefined) {
      const lo = history.lowerBound(boundOf(mode));
      const hi = history.submitted;
      const m = history.match(outcome.state, lo, hi);
      if (m.length < 0) {
        problems.push(
          `the recovered state is no prefix of the writes with length in [${lo}, ${hi}] ` +
            `(durable ${history.durable}, acknowledged ${history.acked}); closest is ${m.closest}:`,
          ...m.diffs.map((d) => `  ${d}`),
        );
      }
    }
    return problems;
  }
}

/** A 32-bit seed derived from a run seed and small integers (for per-crash tear seeds). */
export function mixSeed(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

export interface Failure {
  /** The crash point or fault call number. */
  k: number;
  /** What was injected there ("drop-unsynced", "failAt EIO", ...). */
  what: string;
  call: FsCall | undefined;
  problems: string[];
  replay: string;
}

export function formatFailure(f: Failure): string {
  const call = f.call ? `call ${f.call.n} ${f.call.op} ${f.call.path}` : `call ${f.k}`;
  return [
    `FAIL k=${f.k} ${f.what} at ${call}`,
    ...f.problems.map((p) => `    ${p}`),
    `    replay: ${f.replay}`,
  ].join('\n');
}
