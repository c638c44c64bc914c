// I/O error injection at every file-system call (docs/reliability.md, section 3). For a fixed seeded workload
// (fault-workload.ts) a dry run numbers the counted calls; then, for each fault kind and every k, the workload
// runs on a FaultInjectingFileSystem that fails call k once (failAt) or every call from k on (failFrom), with
// EIO or ENOSPC, counting writes only or reads too. Checked per run:
//  - every API call resolves or rejects/throws a GraniteError with code IO carrying the injected errno (a
//    sticky background error may surface on later writes); nothing hangs; no rejection goes unhandled;
//  - reads between steps show exactly the acknowledged writes (so no partial batch), a failed scan yields
//    only correct entries first, and no write is acknowledged after an earlier one of the same open failed;
//  - after the faults stop: close (may fail, typed), then the live file system reopens (the lock was
//    released) and the crash images 'keep-unsynced' and 'drop-unsynced' open clean: a prefix of the writes
//    holding every acknowledged (resp. durable) write, no orphan files, the same state on a second open.
// A reopen inside the workload is read once with faults suspended: rejected writes may come back after a
// reopen (docs/design.md, crash points), so the history continues from the prefix it shows.
import { FaultInjectingFileSystem, type FaultOptions } from '../../../src/fs/index.js';
import { GraniteDB } from '../../../src/index.js';
import type { History } from '../common/fault-history.js';
import { describe } from '../common/fault-image.js';
import {
  baseWithDir,
  dryRun,
  formatFailure,
  ImageChecker,
  RejectionTrap,
  type Failure,
} from '../common/fault-sweep.js';
import {
  DIR,
  drive,
  faultOptions,
  keyUniverse,
  makeWorkload,
  typedIOProblem,
  withDeadline,
  type WorkloadShape,
} from '../common/fault-workload.js';

/** A fault kind: how call k fails. */
export interface FaultKind {
  name: string;
  once: boolean;
  code: 'EIO' | 'ENOSPC';
  countReads: boolean;
}

export const FAULT_KINDS: readonly FaultKind[] = [
  { name: 'write-once-EIO', once: true, code: 'EIO', countReads: false },
  { name: 'write-from-EIO', once: false, code: 'EIO', countReads: false },
  { name: 'write-from-ENOSPC', once: false, code: 'ENOSPC', countReads: false },
  { name: 'any-once-EIO', once: true, code: 'EIO', countReads: true },
  { name: 'any-from-EIO', once: false, code: 'EIO', countReads: true },
];

export interface IoErrorsConfig {
  seed: number;
  shape: WorkloadShape;
  style: 'leveled' | 'tiered';
  kinds: readonly FaultKind[];
  /** Fault points from..to (1-based, inclusive; default every call of the kind's dry run) and stride. */
  from?: number;
  to?: number;
  every?: number;
  /** Only fault points whose call ("op path") contains this text, e.g. "sync /db/MANIFEST". */
  match?: string;
  deadlineMs: number;
  /** Stop after this many failures. @default 20 */
  maxFailures?: number;
  log?: (line: string) => void;
  /** The command that replays this configuration, without the kind and k range. */
  replay: string;
}

export interface KindReport {
  kind: string;
  /** Counted calls of the dry run; fault points run; typed IO errors the API returned. */
  calls: number;
  faultPoints: number;
  apiErrors: number;
  /** Fault points no API call reported (a failed unlink of an obsolete file is retried later, by design). */
  silent: number;
  /** Crash images judged and distinct ones opened. */
  statesChecked: number;
  distinctImages: number;
  failures: number;
}

export interface IoErrorsReport {
  seed: number;
  kinds: KindReport[];
  failures: Failure[];
  millis: number;
}

export async function runIoErrors(cfg: IoErrorsConfig): Promise<IoErrorsReport> {
  const t0 = performance.now();
  const log = cfg.log ?? (() => undefined);
  const steps = makeWorkload(cfg.seed, cfg.shape);
  const options = faultOptions(cfg.style);
  const keys = keyUniverse(cfg.shape);
  const failures: Failure[] = [];
  const maxFailures = cfg.maxFailures ?? 20;
  const kinds: KindReport[] = [];
  const trap = new RejectionTrap();
  trap.install();
  try {
    for (const kind of cfg.kinds) {
      const dry = await dryRun(steps, options, cfg.deadlineMs, kind.countReads, peekWithoutFaults);
      const n = dry.calls.length;
      const from = Math.max(1, cfg.from ?? 1);
      const to = Math.min(n, cfg.to ?? n);
      const every = Math.max(1, cfg.every ?? 1);
      const checker = new ImageChecker(options, keys, cfg.deadlineMs);
      const rep: KindReport = {
        kind: kind.name,
        calls: n,
        faultPoints: 0,
        apiErrors: 0,
        silent: 0,
        statesChecked: 0,
        distinctImages: 0,
        failures: 0,
      };
      kinds.push(rep);
      const tick = Math.max(1, Math.floor((to - from + 1) / every / 10));
      for (let k = from; k <= to && failures.length < maxFailures; k += every) {
        const call = dry.calls[k - 1];
        if (cfg.match !== undefined && !`${call?.op} ${call?.path}`.includes(cfg.match)) continue;
        const fail = (what: string, problems: string[]): void => {
          const f = {
            k,
            what: `${kind.name} ${what}`,
            call,
            problems,
            replay: `${cfg.replay} --kinds ${kind.name} --from ${k} --to ${k}`,
          };
          failures.push(f);
          rep.failures++;
          log(formatFailure(f));
        };
        const faults: FaultOptions = kind.once
          ? { failAt: k, code: kind.code, countReads: kind.countReads }
          : { failFrom: k, code: kind.code, countReads: kind.countReads };
        const fs = new FaultInjectingFileSystem(baseWithDir(), { ...faults, logLimit: 1 << 30 });
        const r = await drive(steps, {
          options: { ...options, fileSystem: fs },
          stopOnError: false,
          deadlineMs: cfg.deadlineMs,
          errno: kind.code,
          peek: peekWithoutFaults(fs, faults),
        });
        rep.faultPoints++;
        rep.apiErrors += r.errors;
        const live = [...r.problems];
        if (r.errors === 0) rep.silent++;
        // Closing may run the call k (close waits for background work), as it did in the dry run.
        if (r.db !== undefined) {
          await withDeadline(r.db.close(), cfg.deadlineMs, 'close after the faults').catch((err: unknown) => {
            const p = typedIOProblem(err, 'close after the faults');
            if (p !== undefined) live.push(p);
          });
        }
        fs.resetFaults();
        const last = fs.calls.find((c) => c.n === k);
        if (last === undefined || last.op !== call?.op || last.path !== call?.path) {
          live.push(
            `not deterministic: call ${k} was ${last?.op} ${last?.path}, in the dry run ${call?.op} ${call?.path}`,
          );
        }
        for (const reason of await trap.drain()) live.push(`unhandled rejection: ${describe(reason)}`);
        if (live.length > 0) fail('live run', live);
        if (r.stopped === 'hang') continue;
        const keep = fs.crash('keep-unsynced');
        const drop = fs.crash('drop-unsynced');
        const reopen = await reopenLive(fs, options, r.history, cfg.deadlineMs);
        if (reopen.length > 0) fail('reopen of the live file system', reopen);
        for (const [mode, image] of [
          ['keep-unsynced', keep],
          ['drop-unsynced', drop],
        ] as const) {
          const problems = await checker.check(image, r.history, mode);
          for (const reason of await trap.drain()) problems.push(`unhandled rejection: ${describe(reason)}`);
          if (problems.length > 0) fail(mode, problems);
        }
        if (rep.faultPoints % tick === 0) {
          const secs = ((performance.now() - t0) / 1000).toFixed(1);
          log(
            `  ${kind.name} ${k}/${to}: ${rep.apiErrors} API errors, ${checker.checked} states checked, ` +
              `${rep.failures} failures, ${secs} s`,
          );
        }
      }
      rep.statesChecked = checker.checked;
      rep.distinctImages = checker.distinct;
    }
  } finally {
    trap.uninstall();
  }
  return { seed: cfg.seed, kinds, failures, millis: performance.now() - t0 };
}

/** A full scan of the database on `fs` with faults (and read counting) suspended, then `faults` restored:
 *  the call numbering does not see it, so a dry run and a run with faults number their calls alike. */
function peekWithoutFaults(fs: FaultInjectingFileSystem, faults: FaultOptions) {
  return async (db: GraniteDB): Promise<Map<string, string>> => {
    fs.setFaults({});
    try {
      return await peekAll(db);
    } finally {
      fs.setFaults(faults);
    }
  };
}

/** Every entry of `db` (a full scan). */
async function peekAll(db: GraniteDB): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const [k, v] of db.iterator()) m.set(k!.toString('latin1'), v!.toString('latin1'));
  return m;
}

/** Opens the live file system again (faults off): it must open (the failed run released its lock) and show
 *  a prefix holding every acknowledged write. */
async function reopenLive(
  fs: FaultInjectingFileSystem,
  options: ReturnType<typeof faultOptions>,
  history: History,
  deadlineMs: number,
): Promise<string[]> {
  let db: GraniteDB;
  try {
    db = await withDeadline(GraniteDB.open(DIR, { ...options, fileSystem: fs }), deadlineMs, 'open');
  } catch (err) {
    return [`open failed: ${describe(err)}`];
  }
  const problems: string[] = [];
  try {
    const m = history.match(await peekAll(db), history.lowerBound('process-crash'), history.submitted);
    if (m.length < 0)
      problems.push(`no prefix of the writes; closest ${m.closest}:`, ...m.diffs.map((d) => `  ${d}`));
  } catch (err) {
    problems.push(`read: ${describe(err)}`);
  } finally {
    await withDeadline(db.close(), deadlineMs, 'close').catch((err: unknown) =>
      problems.push(`close: ${describe(err)}`),
    );
  }
  return problems;
}
