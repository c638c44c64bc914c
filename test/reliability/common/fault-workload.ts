// A seeded, deterministic workload for the fault tests (power loss, I/O errors) and the driver that runs it
// against a GraniteDB on an injected file system while keeping a History (fault-history.ts).
// Steps: writes (put, delete, batch; sync or not; one alone or several submitted together so they share a
// commit group), flush(), compactRange(), close + reopen, and reads checked against the live model.
// Determinism: the same steps and options make the same file-system calls in the same order (no timers:
// the options keep the L0 slowdown trigger equal to the stop trigger, whose stall waits on promises), so a
// call number from a dry run names the same call in every later run.
// Driver invariants checked on the way: every rejection or throw is a GraniteError with code IO; within one
// open database no write is acknowledged after an earlier one was rejected (the error is sticky); reads
// show exactly the acknowledged writes (plus what the last reopen recovered); no call hangs.
import { GraniteDB, GraniteError, WriteBatch, type IOError, type Options } from '../../../src/index.js';
import { compactionOptions, Rng } from '../../../src/testing/index.js';
import { History, valueOf, type Entry, type MatchResult, type WriteRecord } from './fault-history.js';

export const DIR = '/db';

export interface WriteOp {
  readonly id: number;
  readonly kind: 'put' | 'delete' | 'batch';
  readonly entries: readonly Entry[];
  readonly sync: boolean;
}

export type Step =
  | { readonly kind: 'writes'; readonly ops: readonly WriteOp[] }
  | { readonly kind: 'flush' }
  | { readonly kind: 'compact' }
  | { readonly kind: 'reopen' }
  | { readonly kind: 'read'; readonly keys: readonly string[] };

export interface WorkloadShape {
  /** Number of steps. */
  steps: number;
  /** Size of the key space (small, so keys are overwritten and deleted often). */
  keys: number;
  /** Close + reopen steps, spread evenly. */
  reopens: number;
  /** Share of writes with sync: true. */
  syncShare: number;
  /** Largest value in bytes (values are 8 bytes up to this). */
  maxValue: number;
}

/** The shape every fault sweep uses (CI and long runs): a quarter of writes synced, values up to 160 bytes;
 *  the long runs' --steps/--keys/--reopens replay it exactly. */
export function faultShape(steps: number, keys: number, reopens: number): WorkloadShape {
  return { steps, keys, reopens, syncShare: 0.25, maxValue: 160 };
}

export const keyName = (i: number): string => `k${String(i).padStart(4, '0')}`;

/** Every key the workload can touch, sorted. */
export function keyUniverse(shape: WorkloadShape): string[] {
  return Array.from({ length: shape.keys }, (_, i) => keyName(i));
}

/** The workload for `seed`: the same seed and shape give the same steps. */
export function makeWorkload(seed: number, shape: WorkloadShape): Step[] {
  const rng = new Rng(seed);
  let nextId = 0;
  const key = (): string => keyName(rng.int(shape.keys));
  const value = (id: number, j: number): string => valueOf(id, j, 8 + rng.int(shape.maxValue - 7));
  const write = (): WriteOp => {
    const id = nextId++;
    const sync = rng.next() < shape.syncShare;
    const r = rng.next();
    if (r < 0.55) return { id, kind: 'put', entries: [[key(), value(id, 0)]], sync };
    if (r < 0.75) return { id, kind: 'delete', entries: [[key(), undefined]], sync };
    const n = 2 + rng.int(5);
    const entries: Entry[] = [];
    for (let j = 0; j < n; j++) entries.push([key(), rng.next() < 0.75 ? value(id, j) : undefined]);
    return { id, kind: 'batch', entries, sync };
  };
  const reopenAt = new Set(
    Array.from({ length: shape.reopens }, (_, i) =>
      Math.floor(((i + 1) * shape.steps) / (shape.reopens + 1)),
    ),
  );
  const steps: Step[] = [];
  for (let s = 0; s < shape.steps; s++) {
    if (reopenAt.has(s)) {
      steps.push({ kind: 'reopen' });
      continue;
    }
    const r = rng.next();
    if (r < 0.06) steps.push({ kind: 'flush' });
    else if (r < 0.075) steps.push({ kind: 'compact' });
    else if (r < 0.14) steps.push({ kind: 'read', keys: Array.from({ length: 4 }, key) });
    else if (r < 0.26) steps.push({ kind: 'writes', ops: Array.from({ length: 2 + rng.int(3) }, write) });
    else steps.push({ kind: 'writes', ops: [write()] });
  }
  return steps;
}

/** Engine options of the fault tests: tiny memtables, tables and block cache so flushes, compactions and
 *  block reads happen all the time, in-process (an injected file system keeps compaction on the main thread),
 *  with no timer in the write path. */
export function faultOptions(
  style: 'leveled' | 'tiered',
  overrides: Partial<Options> = {},
): Partial<Options> {
  return compactionOptions(style, {
    backgroundThreads: 0,
    blockCacheSize: 64 * 1024,
    walBytesPerSync: 512, // background WAL syncs (ADR 0025) under every fault: a few per 4 KiB memtable
    targetFileSize: 1024,
    maxBytesForLevelBase: 2048,
    level0SlowdownTrigger: 8,
    level0StopTrigger: 8,
    ...overrides,
  });
}

/** "IO" GraniteError or a description of what was thrown instead. */
export function typedIOProblem(err: unknown, where: string): string | undefined {
  if (err instanceof GraniteError && err.code === 'IO') return undefined;
  if (err instanceof GraniteError) return `${where}: ${err.code} instead of IO: ${err.message}`;
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return `${where}: untyped ${err instanceof Error ? err.constructor.name : typeof err}: ${stack}`;
}

export class HangError extends Error {}

/** `p`, or a HangError after `ms` milliseconds. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export interface DriveConfig {
  options: Partial<Options>;
  /** Stop at the first error (power loss: the process is gone); otherwise continue and check every call. */
  stopOnError: boolean;
  /** Reads the database right after a reopen without faults (I/O errors). Without it a reopen is assumed to
   *  show every submitted write (power loss: no fault before the crash, so nothing was rejected). */
  peek?: (db: GraniteDB) => Promise<Map<string, string>>;
  deadlineMs: number;
  /** When set, every IOError must carry this errno (the injected code; a sticky error keeps its cause's). */
  errno?: string;
}

export interface DriveResult {
  /** The open database at the end, if any (the caller closes it). */
  db: GraniteDB | undefined;
  history: History;
  problems: string[];
  /** Typed IO errors seen (rejections and throws). */
  errors: number;
  /** Why the run stopped before its last step, if it did. */
  stopped?: string;
}

/** Runs `steps` on a fresh database in DIR; see the file header for what it checks. */
export async function drive(steps: readonly Step[], cfg: DriveConfig): Promise<DriveResult> {
  const history = new History();
  const problems: string[] = [];
  const res: DriveResult = { db: undefined, history, problems, errors: 0 };
  /** Length of the prefix the open database shows (the live model). */
  let live = 0;
  /** A write of this open database was rejected: no later one may be acknowledged. */
  let rejectedInSession: WriteRecord | undefined;

  const failed = (err: unknown, where: string): void => {
    if (err instanceof HangError) {
      problems.push(`${where}: ${err.message}`);
      res.stopped = 'hang';
      return;
    }
    res.errors++;
    const p = typedIOProblem(err, where);
    if (p !== undefined) problems.push(p);
    else if (cfg.errno !== undefined && (err as IOError).errno !== cfg.errno) {
      problems.push(
        `${where}: IO error with errno ${(err as IOError).errno}, not ${cfg.errno}: ${(err as IOError).message}`,
      );
    }
  };
  const open = async (where: string): Promise<GraniteDB | undefined> => {
    try {
      return await withDeadline(GraniteDB.open(DIR, cfg.options), cfg.deadlineMs, where);
    } catch (err) {
      failed(err, where);
      return undefined;
    }
  };

  let db = await open('open');
  if (db === undefined) {
    res.stopped ??= 'open failed';
    return res;
  }
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    const where = `step ${s} (${step.kind})`;
    const errorsBefore = res.errors;
    if (step.kind === 'writes') {
      const sticky = db.stats().backgroundError !== undefined;
      const runs = step.ops.map((op) => {
        const i = history.submit({ ...op, neverAppended: sticky });
        const rec = history.writes[i]!;
        return { i, rec, p: submit(db!, op) };
      });
      const settled = await withDeadline(
        Promise.allSettled(runs.map((r) => r.p)),
        cfg.deadlineMs,
        `${where}: writes`,
      ).catch((err: unknown) => err as HangError);
      if (settled instanceof HangError) {
        failed(settled, where);
        break;
      }
      settled.forEach((o, j) => {
        const { i, rec } = runs[j]!;
        if (o.status === 'fulfilled') {
          rec.status = 'acked';
          if (rejectedInSession !== undefined) {
            problems.push(
              `${where}: ${history.label(rec)} acknowledged after ${history.label(rejectedInSession)} was rejected`,
            );
          }
          live = Math.max(live, i + 1);
          if (rec.sync) history.markDurable(i + 1);
        } else {
          rec.status = 'rejected';
          rejectedInSession ??= rec;
          failed(o.reason, `${where}: ${history.label(rec)}`);
        }
      });
    } else if (step.kind === 'flush' || step.kind === 'compact') {
      const n = history.length;
      try {
        await withDeadline(step.kind === 'flush' ? db.flush() : db.compactRange(), cfg.deadlineMs, where);
        history.markDurable(n);
      } catch (err) {
        failed(err, where);
      }
    } else if (step.kind === 'read') {
      readLive(db, step.keys, history.stateAt(live), where, problems, failed);
    } else {
      try {
        await withDeadline(db.close(), cfg.deadlineMs, `${where}: close`);
      } catch (err) {
        failed(err, `${where}: close`);
      }
      if (res.stopped === 'hang') break;
      db = await open(`${where}: open`);
      if (db === undefined) {
        res.stopped ??= 'reopen failed';
        break;
      }
      rejectedInSession = undefined;
      let length = history.submitted;
      if (cfg.peek !== undefined) {
        let seen: Map<string, string>;
        try {
          seen = await cfg.peek(db);
        } catch (err) {
          problems.push(`${where}: reading the reopened database without faults: ${String(err)}`);
          break;
        }
        const m: MatchResult = history.match(seen, history.lowerBound('process-crash'), history.submitted);
        if (m.length < 0) {
          problems.push(`${where}: the reopened database is no prefix of the writes:`, ...m.diffs);
          break;
        }
        length = m.length;
      }
      history.settle(length);
      live = length;
    }
    if (res.stopped !== undefined) break;
    if (cfg.stopOnError && res.errors > errorsBefore) {
      res.stopped = `error at ${where}`;
      break;
    }
  }
  res.db = db;
  return res;
}

function submit(db: GraniteDB, op: WriteOp): Promise<void> {
  const opts = { sync: op.sync };
  try {
    if (op.kind === 'batch') {
      const b = new WriteBatch();
      for (const [k, v] of op.entries) {
        if (v === undefined) b.delete(k);
        else b.put(k, v);
      }
      return db.write(b, opts);
    }
    const [k, v] = op.entries[0]!;
    return v === undefined ? db.delete(k, opts) : db.put(k, v, opts);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Point reads of `keys` and a full scan must show `want`; an IO error may end either (after correct
 *  entries only); anything else is a problem. */
function readLive(
  db: GraniteDB,
  keys: readonly string[],
  want: Map<string, string>,
  where: string,
  problems: string[],
  failed: (err: unknown, where: string) => void,
): void {
  for (const k of keys) {
    try {
      const got = db.getSync(k)?.toString('latin1');
      if (got !== want.get(k))
        problems.push(`${where}: get ${k} = ${show(got)}, expected ${show(want.get(k))}`);
    } catch (err) {
      failed(err, `${where}: get ${k}`);
    }
  }
  const sorted = [...want.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let i = 0;
  try {
    for (const [k, v] of db.iterator()) {
      const e = sorted[i++];
      const key = k!.toString('latin1');
      const val = v!.toString('latin1');
      if (e === undefined || e[0] !== key || e[1] !== val) {
        problems.push(
          `${where}: scan entry ${i - 1} is ${key}=${show(val)}, expected ${e ? `${e[0]}=${show(e[1])}` : 'the end'}`,
        );
        return;
      }
    }
    if (i !== sorted.length) problems.push(`${where}: scan ended after ${i} of ${sorted.length} entries`);
  } catch (err) {
    failed(err, `${where}: scan (after ${i} correct entries)`);
  }
}

function show(v: string | undefined): string {
  return v === undefined ? 'absent' : JSON.stringify(v.length > 14 ? `${v.slice(0, 12)}..` : v);
}
