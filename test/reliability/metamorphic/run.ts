// Replays one op log (ops.ts) against a Map model and against GraniteDB under one option set, turning every op
// into a canonical result string: 'ok' for writes and the like, the value (length + digest) for point reads,
// the entries for scans, 'error:<code>' when a call throws. Two runs agree iff their result lists are equal;
// the first index where a set's list differs from the model's is the first diverging op.
// Both sides go through the same exec(): only the Store primitives differ (ModelStore / DBStore).
import { readdirSync } from 'node:fs';
import { GraniteDB, WriteBatch, type CompressionName, type Snapshot } from '../../../src/index.js';
import { MemoryFileSystem } from '../../../src/fs/index.js';
import { makeTempDir, orphanProblems, removeDir } from '../../../src/testing/index.js';
import { optionsOf, setAtOpen, type OptionSet } from './option-sets.js';
import { entriesOf, showKey, showValue, valueFor, type Op, type Range } from './ops.js';

type Fields = 'both' | 'keys' | 'values';
type Row = [string | undefined, Buffer | undefined];

/** The primitives an op log needs. `snap` = -1: latest; n >= 0: open snapshot n mod count (latest if none). */
interface Store {
  write(i: number, op: Op): Promise<void>;
  get(k: string, snap: number, sync: boolean): Promise<Buffer | undefined>;
  getMany(ks: string[], snap: number): Promise<(Buffer | undefined)[]>;
  scan(r: Range, reverse: boolean, limit: number | undefined, fields: Fields, snap: number): Row[];
  snapshot(): void;
  /** Releases one snapshot; returns what a read through it then gives ('-' when none was open). */
  release(i: number): string;
  flush(): Promise<void>;
  compactRange(lo: string | undefined, hi: string | undefined): Promise<void>;
  reopen(): Promise<void>;
}

function codeOf(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : err instanceof Error ? err.name : 'throw';
}

/** Runs op `i` and renders its result. Errors become 'error:<code>'; `onError` sees the full error. */
async function exec(s: Store, i: number, op: Op, onError: (e: unknown) => void): Promise<string> {
  try {
    switch (op.t) {
      case 'put':
      case 'del':
      case 'batch':
        await s.write(i, op);
        return 'ok';
      case 'get':
      case 'getSync':
        return showValue(await s.get(op.k, op.snap, op.t === 'getSync'));
      case 'getMany':
        return (await s.getMany(op.ks, op.snap)).map(showValue).join(' ');
      case 'iter':
        return s
          .scan(op.range, op.reverse, op.limit, op.fields, op.snap)
          .map(([k, v]) => `${k === undefined ? '_' : showKey(k)}=${v === undefined ? '_' : showValue(v)}`)
          .join(' ');
      case 'snap':
        s.snapshot();
        return 'ok';
      case 'release':
        return s.release(op.i);
      case 'flush':
        await s.flush();
        return 'ok';
      case 'compactRange':
        await s.compactRange(op.lo, op.hi);
        return 'ok';
      case 'reopen':
        await s.reopen();
        return 'ok';
    }
  } catch (err) {
    onError(err);
    return `error:${codeOf(err)}`;
  }
}

// ------------------------------------------------------------------ the model

function inRange(k: string, r: Range): boolean {
  if (r.gt !== undefined && !(k > r.gt)) return false;
  if (r.gte !== undefined && !(k >= r.gte)) return false;
  if (r.lt !== undefined && !(k < r.lt)) return false;
  if (r.lte !== undefined && !(k <= r.lte)) return false;
  if (r.prefix !== undefined && !k.startsWith(r.prefix)) return false;
  return true;
}

class ModelStore implements Store {
  #m = new Map<string, Buffer>();
  #snaps: Map<string, Buffer>[] = [];

  #view(snap: number): Map<string, Buffer> {
    return snap < 0 || this.#snaps.length === 0 ? this.#m : this.#snaps[snap % this.#snaps.length]!;
  }
  async write(i: number, op: Op): Promise<void> {
    for (const [j, e] of entriesOf(op).entries()) {
      if (e.len < 0) this.#m.delete(e.k);
      else this.#m.set(e.k, valueFor(i, j, e.len));
    }
  }
  async get(k: string, snap: number): Promise<Buffer | undefined> {
    return this.#view(snap).get(k);
  }
  async getMany(ks: string[], snap: number): Promise<(Buffer | undefined)[]> {
    const v = this.#view(snap);
    return ks.map((k) => v.get(k));
  }
  scan(r: Range, reverse: boolean, limit: number | undefined, fields: Fields, snap: number): Row[] {
    const v = this.#view(snap);
    let ks = [...v.keys()].filter((k) => inRange(k, r)).sort();
    if (reverse) ks.reverse();
    if (limit !== undefined) ks = ks.slice(0, limit);
    return ks.map((k) => [fields === 'values' ? undefined : k, fields === 'keys' ? undefined : v.get(k)]);
  }
  snapshot(): void {
    this.#snaps.push(new Map(this.#m));
  }
  release(i: number): string {
    if (this.#snaps.length === 0) return '-';
    this.#snaps.splice(i % this.#snaps.length, 1);
    return 'INVALID_ARGUMENT';
  }
  async flush(): Promise<void> {}
  async compactRange(): Promise<void> {}
  async reopen(): Promise<void> {
    this.#snaps = [];
  }
}

// ------------------------------------------------------------------ the database

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
/** True for keys of bytes 0x01-0x7f: the same bytes whether passed as a string (UTF-8) or as bytes. */
const isAscii = (s: string): boolean => [...s].every((c) => c > '\x00' && c < '\x80');

/** Engine-side tallies of one run (summed over every open), to show the set exercised what it claims. */
export interface Tally {
  flushes: number;
  compactions: number;
  opens: number;
  deepestLevel: number;
}

class DBStore implements Store {
  readonly #set: OptionSet;
  readonly #compressions: readonly CompressionName[];
  readonly #dir: string;
  readonly #fs: MemoryFileSystem | undefined;
  readonly tally: Tally = { flushes: 0, compactions: 0, opens: 0, deepestLevel: 0 };
  #db: GraniteDB | undefined;
  #snaps: Snapshot[] = [];
  #writes = 0;

  constructor(set: OptionSet, compressions: readonly CompressionName[]) {
    this.#set = set;
    this.#compressions = compressions;
    this.#fs = set.fs === 'mem' ? new MemoryFileSystem() : undefined;
    this.#dir = set.fs === 'mem' ? '/db' : makeTempDir('granite-metamorphic-');
  }

  get db(): GraniteDB {
    if (this.#db === undefined) throw new Error('database not open');
    return this.#db;
  }

  async open(): Promise<void> {
    const s = setAtOpen(this.#set, this.tally.opens, this.#compressions);
    this.tally.opens++;
    this.#db = await GraniteDB.open(this.#dir, { ...optionsOf(s), fileSystem: this.#fs });
  }

  /** A key as the API takes it: a string for ASCII keys every other write (same bytes), else a Uint8Array. */
  #key(k: string): string | Uint8Array {
    return isAscii(k) && this.#writes % 2 === 0 ? k : new Uint8Array(bytes(k));
  }
  #opts(snap: number): { snapshot?: Snapshot } {
    return snap < 0 || this.#snaps.length === 0 ? {} : { snapshot: this.#snaps[snap % this.#snaps.length]! };
  }

  async write(i: number, op: Op): Promise<void> {
    this.#writes++;
    if (op.t === 'put') return this.db.put(this.#key(op.k), valueFor(i, 0, op.len), { sync: op.sync });
    if (op.t === 'del') return this.db.delete(this.#key(op.k), { sync: op.sync });
    if (op.t !== 'batch') return;
    const b = new WriteBatch();
    for (const [j, e] of op.e.entries()) {
      if (e.len < 0) b.delete(this.#key(e.k));
      else b.put(this.#key(e.k), valueFor(i, j, e.len));
    }
    return this.db.write(b, { sync: op.sync });
  }
  async get(k: string, snap: number, sync: boolean): Promise<Buffer | undefined> {
    return sync ? this.db.getSync(bytes(k), this.#opts(snap)) : this.db.get(this.#key(k), this.#opts(snap));
  }
  getMany(ks: string[], snap: number): Promise<(Buffer | undefined)[]> {
    return this.db.getMany(
      ks.map((k) => this.#key(k)),
      this.#opts(snap),
    );
  }
  scan(r: Range, reverse: boolean, limit: number | undefined, fields: Fields, snap: number): Row[] {
    const range = Object.fromEntries(Object.entries(r).map(([n, s]) => [n, bytes(s as string)]));
    const it = this.db.iterator({
      ...range,
      reverse,
      limit,
      keys: fields !== 'values',
      values: fields !== 'keys',
      ...this.#opts(snap),
    });
    return [...it].map(([k, v]) => [k?.toString('latin1'), v]);
  }
  snapshot(): void {
    this.#snaps.push(this.db.snapshot());
  }
  release(i: number): string {
    if (this.#snaps.length === 0) return '-';
    const [s] = this.#snaps.splice(i % this.#snaps.length, 1);
    s!.release();
    try {
      this.db.getSync('k000', { snapshot: s! });
      return 'read through a released snapshot succeeded';
    } catch (err) {
      return codeOf(err);
    }
  }
  flush(): Promise<void> {
    return this.db.flush();
  }
  compactRange(lo: string | undefined, hi: string | undefined): Promise<void> {
    return this.db.compactRange(
      lo === undefined ? undefined : bytes(lo),
      hi === undefined ? undefined : bytes(hi),
    );
  }
  async #close(): Promise<void> {
    const db = this.#db;
    if (db === undefined || db.closed) return;
    for (const s of this.#snaps) s.release();
    this.#snaps = [];
    const st = db.stats();
    this.tally.flushes += st.counters.flushes;
    this.tally.compactions += st.counters.compactions;
    for (const l of st.levels)
      if (l.files > 0) this.tally.deepestLevel = Math.max(this.tally.deepestLevel, l.level);
    await db.close();
  }
  async reopen(): Promise<void> {
    await this.#close();
    await this.open();
  }
  /** After the log: background work done, no file outside the current version. */
  async orphans(): Promise<string[]> {
    const db = this.db;
    await db.waitForCompaction();
    const names = this.#fs !== undefined ? this.#fs.list(this.#dir) : readdirSync(this.#dir);
    return orphanProblems(names, db.stats());
  }
  async dispose(): Promise<void> {
    try {
      await this.#close();
    } finally {
      if (this.#fs === undefined) removeDir(this.#dir);
    }
  }
}

// ------------------------------------------------------------------ replay and compare

/** An op as JSON with every byte >= 0x7f escaped too (\u00NN), so binary keys print unambiguously. */
export function showOp(op: Op): string {
  return JSON.stringify(op).replace(/[\x7f-\xff]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** The model's result for every op of the log. */
export async function modelResults(ops: readonly Op[]): Promise<string[]> {
  const m = new ModelStore();
  const out: string[] = [];
  for (const [i, op] of ops.entries()) {
    out.push(
      await exec(m, i, op, (e) => {
        throw e; // the model never fails
      }),
    );
  }
  return out;
}

export interface Divergence {
  op: number;
  /** The op as JSON (keys are latin1 strings). */
  opText: string;
  want: string;
  got: string;
  /** The full error when the op threw. */
  error: string | undefined;
}

export interface SetRun {
  divergence: Divergence | undefined;
  /** Problems found after the log (orphan files). */
  problems: string[];
  tally: Tally;
  ms: number;
}

/** Replays `ops` under `set`, stopping at the first op whose result differs from `want`. */
export async function replay(
  ops: readonly Op[],
  want: readonly string[],
  set: OptionSet,
  compressions: readonly CompressionName[],
): Promise<SetRun> {
  const t0 = performance.now();
  const store = new DBStore(set, compressions);
  let divergence: Divergence | undefined;
  const problems: string[] = [];
  try {
    let lastError: unknown;
    const onError = (e: unknown): void => void (lastError = e);
    const first = await exec(store, -1, { t: 'reopen' }, onError); // the first open
    if (first !== 'ok') {
      divergence = { op: -1, opText: 'open', want: 'ok', got: first, error: String(lastError) };
    }
    for (let i = 0; i < ops.length && divergence === undefined; i++) {
      lastError = undefined;
      const got = await exec(store, i, ops[i]!, onError);
      if (got !== want[i]) {
        const e = lastError;
        divergence = {
          op: i,
          opText: showOp(ops[i]!),
          want: want[i]!,
          got,
          error: e === undefined ? undefined : e instanceof Error ? (e.stack ?? e.message) : String(e),
        };
      }
    }
    if (divergence === undefined) problems.push(...(await store.orphans()));
  } finally {
    await store.dispose();
  }
  return { divergence, problems, tally: store.tally, ms: performance.now() - t0 };
}
