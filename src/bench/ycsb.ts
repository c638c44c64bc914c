// YCSB core workloads A–F (Cooper et al., SoCC 2010; the YCSB repository's workloads/workload[a-f]),
// run through the engine interface. One phase: ycsb-load inserts `records` records, then the run
// workloads go in YCSB's recommended order A, B, C, F, D, E on the same database (D and E insert, so
// they run last; YCSB reloads before E, we do not).
//
// Records: 10 fields × 100 bytes, stored as one value in the layout YCSB's RocksDB binding uses: per
// field, u32 BE name length, name ('field0'…'field9'), u32 BE value length, value; 1140 bytes. Field
// bytes are random (incompressible). Keys: 'user' + YCSB's FNV-1a hash of the record number, zero-padded
// to 19 digits (23 bytes), so inserts land in random key order (YCSB insertorder=hashed).
// Operations: read = one point read of the whole record; update = blind write of a whole new record;
// insert = a new record under the next record number; scan = iterator at a key, read 1–100 (uniform)
// records; rmw (F) = read, change one field, write back, timed as one operation.
// Request distribution: scrambled Zipfian 0.99 over the records (E's inserts grow the range; a draw
// past the last acknowledged insert is redrawn, as YCSB does); D: 'latest' (SkewedLatest).
// Clients: `clients` loops, each with one operation outstanding (YCSB threads). Reads and scans use
// the engine's sync API where it has one (getSync, sync iteration), else its async one.
// The whole operation sequence (types, record numbers, scan lengths) is drawn before the clock starts,
// from the seed only, so every engine sees the same sequence. D's reads are drawn as distances from the
// newest record and resolved when issued against the newest acknowledged insert (all inserts up to it
// have completed: YCSB's AcknowledgedCounterGenerator), so no engine reads a record it has not yet
// acknowledged. Zipfian draws skip records inserted less than `clients` operations earlier in the plan.
// A read that finds nothing is counted and reported, never an error.
import { performance } from 'node:perf_hooks';
import { Rng, mix32 } from './data.js';
import { ScrambledZipfian, SkewedLatest, fnv64 } from './generators.js';
import type { LatencyRecorder, LatencySummary } from './latency.js';
import { type Context, type Outcome, type Sizes, type WorkloadSpec, skipped } from './spec.js';

export const YCSB_WORKLOADS = [
  'ycsb-load',
  'ycsb-a',
  'ycsb-b',
  'ycsb-c',
  'ycsb-d',
  'ycsb-e',
  'ycsb-f',
] as const;
export type YcsbWorkload = (typeof YCSB_WORKLOADS)[number];
/** The order the phase runs them in. */
export const YCSB_PHASE: readonly YcsbWorkload[] = [
  'ycsb-load',
  'ycsb-a',
  'ycsb-b',
  'ycsb-c',
  'ycsb-f',
  'ycsb-d',
  'ycsb-e',
];

export const FIELD_COUNT = 10;
export const FIELD_BYTES = 100;
const FIELD_NAME_BYTES = 6; // 'field0'
const FIELD_STRIDE = 4 + FIELD_NAME_BYTES + 4 + FIELD_BYTES;
export const RECORD_BYTES = FIELD_COUNT * FIELD_STRIDE;
export const KEY_DIGITS = 19;
export const YCSB_KEY_BYTES = 4 + KEY_DIGITS;
export const MAX_SCAN = 100;
/** Distinct encoded records in the pool that writes take their values from. */
const RECORD_POOL = 4096;
const VERIFY_SAMPLE = 1000;

export const OP = { read: 0, update: 1, insert: 2, scan: 3, rmw: 4 } as const;
export type OpName = keyof typeof OP;
const OP_NAMES = Object.keys(OP) as OpName[];

export interface Mix {
  read: number;
  update: number;
  insert: number;
  scan: number;
  rmw: number;
}

export interface YcsbDefinition {
  name: YcsbWorkload;
  title: string;
  mix: Mix;
  distribution: 'zipfian' | 'latest';
}

const mix = (m: Partial<Mix>): Mix => ({ read: 0, update: 0, insert: 0, scan: 0, rmw: 0, ...m });

/** The standard core workloads (YCSB workloads/workload[a-f]). */
export const DEFINITIONS: Record<Exclude<YcsbWorkload, 'ycsb-load'>, YcsbDefinition> = {
  'ycsb-a': {
    name: 'ycsb-a',
    title: 'update heavy',
    mix: mix({ read: 0.5, update: 0.5 }),
    distribution: 'zipfian',
  },
  'ycsb-b': {
    name: 'ycsb-b',
    title: 'read mostly',
    mix: mix({ read: 0.95, update: 0.05 }),
    distribution: 'zipfian',
  },
  'ycsb-c': { name: 'ycsb-c', title: 'read only', mix: mix({ read: 1 }), distribution: 'zipfian' },
  'ycsb-d': {
    name: 'ycsb-d',
    title: 'read latest',
    mix: mix({ read: 0.95, insert: 0.05 }),
    distribution: 'latest',
  },
  'ycsb-e': {
    name: 'ycsb-e',
    title: 'short ranges',
    mix: mix({ scan: 0.95, insert: 0.05 }),
    distribution: 'zipfian',
  },
  'ycsb-f': {
    name: 'ycsb-f',
    title: 'read-modify-write',
    mix: mix({ read: 0.5, rmw: 0.5 }),
    distribution: 'zipfian',
  },
};

/** The key of record number `n`: 'user' + fnv64(n) zero-padded to 19 digits. */
export function ycsbKey(n: number): string {
  return 'user' + fnv64(BigInt(n)).toString().padStart(KEY_DIGITS, '0');
}

/** Keys of record numbers 0..count-1 back to back (23 bytes each); grows on demand, before a clock. */
export class YcsbKeys {
  #arena = Buffer.alloc(0);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** Makes keys 0..count-1 available. */
  ensure(count: number): void {
    if (count <= this.#count) return;
    const arena = Buffer.allocUnsafe(count * YCSB_KEY_BYTES);
    this.#arena.copy(arena);
    for (let n = this.#count; n < count; n++) arena.write(ycsbKey(n), n * YCSB_KEY_BYTES, 'latin1');
    this.#arena = arena;
    this.#count = count;
  }

  key(n: number): Buffer {
    return this.#arena.subarray(n * YCSB_KEY_BYTES, (n + 1) * YCSB_KEY_BYTES);
  }
}

/** Encodes fields in the RocksDB-binding layout: per field, u32 BE name length, name, u32 BE length, value. */
export function encodeRecord(fields: readonly [string, Uint8Array][]): Buffer {
  let size = 0;
  for (const [name, value] of fields) size += 8 + Buffer.byteLength(name) + value.length;
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (const [name, value] of fields) {
    const len = Buffer.byteLength(name);
    out.writeUInt32BE(len, off);
    out.write(name, off + 4, 'utf8');
    off += 4 + len;
    out.writeUInt32BE(value.length, off);
    out.set(value, off + 4);
    off += 4 + value.length;
  }
  return out;
}

/** The inverse of encodeRecord; throws on a malformed record. */
export function decodeRecord(buf: Uint8Array): Map<string, Buffer> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < b.length) {
    if (off + 4 > b.length) throw new Error(`record truncated at ${off}`);
    const nameLen = b.readUInt32BE(off);
    if (off + 8 + nameLen > b.length) throw new Error(`record truncated at ${off}`);
    const name = b.toString('utf8', off + 4, off + 4 + nameLen);
    off += 4 + nameLen;
    const len = b.readUInt32BE(off);
    if (off + 4 + len > b.length) throw new Error(`record truncated at ${off}`);
    out.set(name, b.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

/** Offset of field `f`'s value bytes inside a record of the fixed layout. */
export const fieldOffset = (f: number): number => f * FIELD_STRIDE + 4 + FIELD_NAME_BYTES + 4;

/** A pool of encoded records with random field bytes; `record(n, gen)` is a fixed view into it. */
export class RecordSource {
  readonly #pool: Buffer;

  constructor(seed: number) {
    const rng = new Rng(seed ^ 0x5bd1e995);
    const field = Buffer.allocUnsafe(FIELD_BYTES);
    const parts: Buffer[] = [];
    for (let r = 0; r < RECORD_POOL; r++) {
      const fields: [string, Buffer][] = [];
      for (let f = 0; f < FIELD_COUNT; f++) {
        rng.fill(field);
        fields.push([`field${f}`, Buffer.from(field)]);
      }
      parts.push(encodeRecord(fields));
    }
    this.#pool = Buffer.concat(parts);
  }

  /** The record written for record number `n` by write generation `gen`. */
  record(n: number, gen: number): Buffer {
    const r = mix32((n ^ Math.imul(gen + 1, 0x9e3779b9)) >>> 0) % RECORD_POOL;
    return this.#pool.subarray(r * RECORD_BYTES, (r + 1) * RECORD_BYTES);
  }

  /** 100 field bytes for a read-modify-write: field `f` of pool record `r`. */
  field(r: number, f: number): Buffer {
    const off = (r % RECORD_POOL) * RECORD_BYTES + fieldOffset(f % FIELD_COUNT);
    return this.#pool.subarray(off, off + FIELD_BYTES);
  }
}

/** State the YCSB phase carries from one workload to the next. */
export interface YcsbState {
  keys: YcsbKeys;
  records: RecordSource;
  /** Record numbers 0..inserted-1 exist. */
  inserted: number;
  /** Write generation of the next workload (values differ per workload). */
  gen: number;
}

/** The operation sequence of one run workload, drawn before the clock starts. */
export interface Plan {
  types: Uint8Array;
  /**
   * Record number per operation (for inserts, the new one); with `latest`, for the other operations the
   * distance back from the newest acknowledged record at the time the operation is issued.
   */
  targets: Uint32Array;
  latest: boolean;
  /** Entries per scan (1–MAX_SCAN), 0 for other operations. */
  scanLengths: Uint8Array;
  /** Inserts in the plan; record numbers inserted..inserted+inserts-1. */
  inserts: number;
}

/**
 * Draws `ops` operations of `def` over records 0..inserted-1 (plus the plan's own inserts). An insert
 * counts as acknowledged (readable by later draws) once `lag` more operations have been drawn.
 */
export function plan(def: YcsbDefinition, inserted: number, ops: number, lag: number, seed: number): Plan {
  const rng = new Rng(seed);
  const types = new Uint8Array(ops);
  const targets = new Uint32Array(ops);
  const scanLengths = new Uint8Array(ops);
  const m = def.mix;
  const cumulative = OP_NAMES.map((_, i) => OP_NAMES.slice(0, i + 1).reduce((a, n) => a + m[n], 0));
  const expectedInserts = Math.ceil(ops * m.insert * 2); // YCSB's expectednewkeys
  const zipf =
    def.distribution === 'zipfian' ? new ScrambledZipfian(inserted + expectedInserts, rng) : undefined;
  const latest = def.distribution === 'latest' ? new SkewedLatest(inserted, rng) : undefined;
  const insertedAt: number[] = []; // op index of each insert of this plan, in order
  let next = inserted; // next record number to insert
  let acked = inserted; // records readable by a draw
  for (let i = 0; i < ops; i++) {
    while (acked < next && insertedAt[acked - inserted]! + lag <= i) acked++;
    const u = rng.float();
    let t = OP_NAMES.length - 1;
    for (let k = 0; k < cumulative.length; k++) {
      if (u < cumulative[k]!) {
        t = k;
        break;
      }
    }
    types[i] = t;
    if (t === OP.insert) {
      insertedAt.push(i);
      targets[i] = next++;
      continue;
    }
    if (latest !== undefined) {
      targets[i] = acked - 1 - latest.next(acked - 1);
    } else {
      let n: number;
      do n = zipf!.next();
      while (n >= acked);
      targets[i] = n;
    }
    if (t === OP.scan) scanLengths[i] = 1 + rng.below(MAX_SCAN);
  }
  return { types, targets, scanLengths, latest: latest !== undefined, inserts: next - inserted };
}

async function load(ctx: Context): Promise<Outcome> {
  const { engine, sizes } = ctx;
  const n = sizes.records;
  const keys = new YcsbKeys();
  keys.ensure(n);
  const records = new RecordSource(ctx.seed);
  const lat = ctx.recorder();
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < n) {
      const i = next++; // no await between the check and the claim
      const t = performance.now();
      await engine.put(keys.key(i), records.record(i, 0), false);
      lat.record(performance.now() - t);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(sizes.clients, n) }, loop));
  const seconds = (performance.now() - start) / 1000;
  ctx.ycsb = { keys, records, inserted: n, gen: 1 };
  const step = Math.max(1, Math.floor(n / VERIFY_SAMPLE));
  for (let i = 0; i < n; i += step) {
    const got = await engine.get(keys.key(i));
    if (got === undefined || Buffer.compare(got, records.record(i, 0)) !== 0)
      throw new Error(`${engine.name}: wrong record for ${keys.key(i).toString('latin1')} after ycsb-load`);
  }
  return {
    ops: n,
    seconds,
    bytes: n * (YCSB_KEY_BYTES + RECORD_BYTES),
    mode: `insert ×${sizes.clients}`,
    latency: lat.summary(),
  };
}

async function runWorkload(ctx: Context, def: YcsbDefinition, salt: number): Promise<Outcome> {
  const { engine, sizes } = ctx;
  const st = ctx.ycsb;
  if (st === undefined) return skipped('ycsb-load did not run');
  const clients = Math.max(1, sizes.clients);
  const p = plan(def, st.inserted, sizes.operations, clients, (ctx.seed * 31 + salt) >>> 0);
  st.keys.ensure(st.inserted + p.inserts);
  const gen = st.gen++;
  const { keys, records } = st;
  const overall = ctx.recorder();
  const byType = new Map<number, LatencyRecorder>();
  for (let t = 0; t < OP_NAMES.length; t++) if (p.types.includes(t)) byType.set(t, ctx.recorder());
  const getSync = engine.getSync?.bind(engine);
  const seekSync = engine.seekSync?.bind(engine);
  const read = (key: Buffer): Promise<Uint8Array | undefined> | Uint8Array | undefined =>
    getSync !== undefined ? getSync(key) : engine.get(key);
  let missing = 0;
  let bytes = 0;
  // Record numbers below `ackedEnd` exist: every insert of this plan up to it has completed.
  const base = st.inserted;
  const done = new Uint8Array(p.inserts);
  let ackedEnd = base;
  const acknowledge = (n: number): void => {
    done[n - base] = 1;
    while (ackedEnd - base < p.inserts && done[ackedEnd - base] === 1) ackedEnd++;
  };

  const op = async (i: number): Promise<void> => {
    const type = p.types[i]!;
    const n = p.latest && type !== OP.insert ? Math.max(0, ackedEnd - 1 - p.targets[i]!) : p.targets[i]!;
    const key = keys.key(n);
    switch (type) {
      case OP.read: {
        const v = await read(key);
        if (v === undefined) missing++;
        else bytes += key.length + v.length;
        return;
      }
      case OP.update:
        bytes += key.length + RECORD_BYTES;
        return engine.put(key, records.record(n, gen), false);
      case OP.insert:
        bytes += key.length + RECORD_BYTES;
        await engine.put(key, records.record(n, gen), false);
        acknowledge(n);
        return;
      case OP.scan: {
        const len = p.scanLengths[i]!;
        const got = seekSync !== undefined ? seekSync(key, len) : await engine.seek(key, len);
        bytes += got * (YCSB_KEY_BYTES + RECORD_BYTES);
        return;
      }
      default: {
        const v = await read(key);
        if (v === undefined) {
          missing++;
          return;
        }
        const rec = Buffer.from(v);
        rec.set(records.field(n + gen, i), fieldOffset(i % FIELD_COUNT));
        bytes += 2 * (key.length + rec.length);
        return engine.put(key, rec, false);
      }
    }
  };

  let next = 0;
  const ops = p.types.length;
  const loop = async (): Promise<void> => {
    while (next < ops) {
      const i = next++; // no await between the check and the claim
      const t = performance.now();
      await op(i);
      const ms = performance.now() - t;
      overall.record(ms);
      byType.get(p.types[i]!)!.record(ms);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(clients, ops) }, loop));
  const seconds = (performance.now() - start) / 1000;
  st.inserted += p.inserts;

  const opLatency: Record<string, LatencySummary> = {};
  for (const [t, rec] of byType) opLatency[OP_NAMES[t]!] = rec.summary();
  const reads = def.mix.read + def.mix.rmw + def.mix.scan > 0;
  const api = [
    def.mix.read + def.mix.rmw > 0 ? (getSync ? 'getSync' : 'get') : undefined,
    def.mix.scan > 0 ? (seekSync ? 'sync iterator' : 'async iterator') : undefined,
  ].filter((x) => x !== undefined);
  return {
    ops,
    seconds,
    bytes,
    mode: `×${clients}${reads ? `, ${api.join(' + ')}` : ''}`,
    latency: overall.summary(),
    opLatency,
    warnings: missing > 0 ? [`${missing} reads found no record`] : undefined,
  };
}

const describeMix = (m: Mix): string =>
  OP_NAMES.filter((n) => m[n] > 0)
    .map((n) => `${Math.round(m[n] * 100)}% ${n}`)
    .join(', ');

function runSpec(def: YcsbDefinition, salt: number): WorkloadSpec<YcsbWorkload> {
  return {
    name: def.name,
    group: 'ycsb',
    kind: 'mixed',
    describe: (s: Sizes) =>
      `YCSB ${def.name.slice(-1).toUpperCase()} (${def.title}): ${s.operations} operations, ${describeMix(def.mix)}; ` +
      `${def.distribution === 'latest' ? "'latest'" : 'scrambled Zipfian 0.99'}${def.mix.scan > 0 ? `, scans of 1–${MAX_SCAN} records (uniform)` : ''}; ${s.clients} clients`,
    run: (ctx) => runWorkload(ctx, def, salt),
  };
}

export const YCSB_SPECS: Record<YcsbWorkload, WorkloadSpec<YcsbWorkload>> = {
  'ycsb-load': {
    name: 'ycsb-load',
    group: 'ycsb',
    kind: 'write',
    describe: (s: Sizes) =>
      `YCSB load: ${s.records} inserts of ${FIELD_COUNT}×${FIELD_BYTES}-byte records (${RECORD_BYTES} bytes encoded), ` +
      `${YCSB_KEY_BYTES}-byte hashed keys, ${s.clients} clients`,
    run: load,
  },
  'ycsb-a': runSpec(DEFINITIONS['ycsb-a'], 0xa),
  'ycsb-b': runSpec(DEFINITIONS['ycsb-b'], 0xb),
  'ycsb-c': runSpec(DEFINITIONS['ycsb-c'], 0xc),
  'ycsb-d': runSpec(DEFINITIONS['ycsb-d'], 0xd),
  'ycsb-e': runSpec(DEFINITIONS['ycsb-e'], 0xe),
  'ycsb-f': runSpec(DEFINITIONS['ycsb-f'], 0xf),
};
