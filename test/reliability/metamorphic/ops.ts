// The metamorphic op log: one seeded sequence of writes, reads, snapshots, flushes, manual compactions and
// reopens, replayed unchanged against every option set and against a Map model (run.ts). Keys are binary
// strings (one char = one byte, latin1): a dense range with shared prefixes, edge keys with 0x00/0xff bytes,
// and short random byte strings. A value is named by (op, entry, length) and its bytes derived from those, so
// a log is plain JSON and prints as the replay of a failure.
import { createHash } from 'node:crypto';
import { Rng } from '../../../src/testing/index.js';

export interface Range {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  prefix?: string;
}
/** A write entry: a put of `len` bytes, or (len < 0) a delete. */
export interface Entry {
  k: string;
  len: number;
}
/** `snap` picks a read view: -1 the latest state, n >= 0 the open snapshot n mod (open snapshots). */
export type Op =
  | { t: 'put'; k: string; len: number; sync: boolean }
  | { t: 'del'; k: string; sync: boolean }
  | { t: 'batch'; e: Entry[]; sync: boolean }
  | { t: 'get' | 'getSync'; k: string; snap: number }
  | { t: 'getMany'; ks: string[]; snap: number }
  | {
      t: 'iter';
      range: Range;
      reverse: boolean;
      limit: number | undefined;
      fields: 'both' | 'keys' | 'values';
      snap: number;
    }
  | { t: 'snap' }
  /** Releases open snapshot i mod (open snapshots); a read through it must then fail INVALID_ARGUMENT. */
  | { t: 'release'; i: number }
  | { t: 'flush' }
  | { t: 'compactRange'; lo: string | undefined; hi: string | undefined }
  | { t: 'reopen' };

const DENSE = 400;
const POOL = [
  '\x00',
  '\x00\x00',
  '\xff',
  '\xff\xff',
  'k',
  'k\x00',
  'k\xff',
  'a',
  'prefix/1',
  'prefix/10',
  'prefix/2',
];
const ALPHABET = [0x00, 0x01, 0x6b, 0x7f, 0x80, 0xff];
const PREFIXES = ['k0', 'k1', 'k2', 'k3', 'k', 'prefix/', 'prefix/1', '\x00', '\xff', 'z'];

export function keyFor(rng: Rng): string {
  const r = rng.next();
  if (r < 0.75) return `k${String(rng.int(DENSE)).padStart(3, '0')}`;
  if (r < 0.92) return rng.pick(POOL);
  const n = rng.range(1, 4);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.pick(ALPHABET));
  return s;
}

function boundFor(rng: Rng): string {
  return rng.next() < 0.08 ? '' : keyFor(rng);
}

function lengthFor(rng: Rng): number {
  const r = rng.next();
  if (r < 0.06) return 0;
  if (r < 0.97) return rng.range(1, 200);
  return rng.range(5000, 20000); // larger than a tiny memtable and than the default block
}

function rangeFor(rng: Rng): Range {
  const r: Range = {};
  if (rng.next() < 0.35) r.gte = boundFor(rng);
  else if (rng.next() < 0.3) r.gt = boundFor(rng);
  if (rng.next() < 0.35) r.lt = boundFor(rng);
  else if (rng.next() < 0.3) r.lte = boundFor(rng);
  if (rng.next() < 0.2) r.prefix = rng.pick(PREFIXES);
  return r;
}

const snapFor = (rng: Rng): number => (rng.next() < 0.7 ? -1 : rng.int(4));

/** One op: writes 48%, reads 32%, snapshots 10.5%, flush 5.5%, compactRange 3%, reopen 1%. */
export function nextOp(rng: Rng): Op {
  const r = rng.next() * 100;
  const sync = rng.next() < 0.05;
  if (r < 30) return { t: 'put', k: keyFor(rng), len: lengthFor(rng), sync };
  if (r < 38) return { t: 'del', k: keyFor(rng), sync };
  if (r < 48) {
    const n = rng.range(1, 10);
    const e: Entry[] = [];
    for (let j = 0; j < n; j++) {
      const k = j > 0 && rng.next() < 0.15 ? e[rng.int(j)]!.k : keyFor(rng);
      e.push({ k, len: rng.next() < 0.3 ? -1 : lengthFor(rng) });
    }
    return { t: 'batch', e, sync };
  }
  if (r < 60) return { t: rng.next() < 0.5 ? 'get' : 'getSync', k: keyFor(rng), snap: snapFor(rng) };
  if (r < 65) {
    const ks = Array.from({ length: rng.range(0, 6) }, () => keyFor(rng));
    return { t: 'getMany', ks, snap: snapFor(rng) };
  }
  if (r < 80) {
    const f = rng.next();
    return {
      t: 'iter',
      range: rangeFor(rng),
      reverse: rng.next() < 0.5,
      limit: rng.next() < 0.4 ? rng.int(12) : undefined,
      fields: f < 0.8 ? 'both' : f < 0.9 ? 'keys' : 'values',
      snap: snapFor(rng),
    };
  }
  if (r < 86) return { t: 'snap' };
  if (r < 90.5) return { t: 'release', i: rng.int(4) };
  if (r < 96) return { t: 'flush' };
  if (r < 99) {
    let lo = rng.next() < 0.3 ? undefined : keyFor(rng);
    let hi = rng.next() < 0.3 ? undefined : keyFor(rng);
    if (lo !== undefined && hi !== undefined && lo > hi) [lo, hi] = [hi, lo];
    return { t: 'compactRange', lo, hi };
  }
  return { t: 'reopen' };
}

/** A log of `n` ops from `seed`, ending with a reopen and a full scan (the final state, after recovery). */
export function generateLog(seed: number, n: number): Op[] {
  const rng = new Rng(seed);
  const ops = Array.from({ length: n }, () => nextOp(rng));
  ops.push({ t: 'reopen' });
  ops.push({ t: 'iter', range: {}, reverse: false, limit: undefined, fields: 'both', snap: -1 });
  return ops;
}

export function entriesOf(op: Op): Entry[] {
  if (op.t === 'put') return [{ k: op.k, len: op.len }];
  if (op.t === 'del') return [{ k: op.k, len: -1 }];
  if (op.t === 'batch') return op.e;
  return [];
}

/** The bytes entry `j` of op `i` writes. */
export function valueFor(i: number, j: number, len: number): Buffer {
  const out = Buffer.alloc(len, (i * 31 + j * 7) & 0xff);
  const head = Buffer.from(`o${i}.e${j}:`, 'latin1');
  head.copy(out, 0, 0, Math.min(len, head.length));
  return out;
}

// ------------------------------------------------------------------ canonical results

/** A value as results print it: length and a digest (two runs agree iff the bytes agree, in practice). */
export function showValue(v: Buffer | undefined): string {
  if (v === undefined) return '-';
  return `${v.length}:${createHash('sha1').update(v).digest('hex').slice(0, 12)}`;
}
/** A key as results print it: printable ASCII as is, every other byte as \xNN, in double quotes. */
export function showKey(k: string): string {
  let s = '';
  for (const ch of k) {
    const c = ch.charCodeAt(0);
    s += c >= 0x20 && c < 0x7f && ch !== '"' && ch !== '\\' ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `"${s}"`;
}
