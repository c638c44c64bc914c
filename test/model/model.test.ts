// Model-based random test (STYLE.md "Tests"; after Pebble's metamorphic tests): random sequences of writes,
// reads, iterators, cursor walks, snapshots, flushes and reopens run against GraniteDB and against a Map, and
// every read must agree. Tiny memtables make many L0 tables; keys include 0x00/0xff bytes and shared prefixes,
// values range from empty to tens of KiB. Runs over several option sets, one on MemoryFileSystem.
// Compaction sets (compactionOptions(): 4 KiB memtables and target files, L0 trigger 2) keep compaction
// running all the time, leveled and tiered, in worker threads (real directory) and in-process
// (MemoryFileSystem); they add compactRange, waitForCompaction and iterators held open across compactions
// to the mix, and end with an orphan check (every .sst belongs to the current version).
// Reproduce a failure with SEED=<printed seed> (fast-check shrinks it and prints the counterexample).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  GraniteDB,
  WriteBatch,
  type Iterator as DBIterator,
  type Options,
  type Snapshot,
} from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import { readdirSync } from 'node:fs';
import {
  compactionOptions,
  makeTempDir,
  orphanProblems,
  removeDir,
  seedFromEnv,
  tinyOptions,
} from '../../src/testing/index.js';

type Model = Map<string, Buffer>; // binary (latin1) key -> value

// ------------------------------------------------------------------ generated operations

interface Range {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  prefix?: string;
}
type ValueSpec = { len: number; fill: number };
type Op =
  | { t: 'put'; k: string; v: ValueSpec; asString: boolean }
  | { t: 'del'; k: string }
  | { t: 'batch'; ops: ({ put: true; k: string; v: ValueSpec } | { put: false; k: string })[] }
  | { t: 'get' | 'getSync'; k: string }
  | { t: 'getMany'; ks: string[] }
  | { t: 'iter'; range: Range; reverse: boolean; limit: number | undefined; snap: number }
  | { t: 'cursor'; range: Range; reverse: boolean; seek: string | null; steps: boolean[]; snap: number }
  | { t: 'snap' }
  | { t: 'release'; i: number }
  | { t: 'flush' }
  | { t: 'reopen' }
  // compaction sets only:
  | { t: 'compactRange'; lo: string | undefined; hi: string | undefined }
  | { t: 'waitForCompaction' }
  | { t: 'holdIter'; range: Range; reverse: boolean; first: number; snap: number }
  | { t: 'readIter'; i: number; n: number };

const ALPHABET = [0x00, 0x01, 0x61, 0x62, 0x7f, 0x80, 0xff];
const POOL = [
  'a',
  'ab',
  'abc',
  'a\x00',
  'a\xff',
  '\x00',
  '\xff',
  '\xff\xff',
  'b',
  'ba',
  'prefix/1',
  'prefix/2',
];
const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...POOL) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 4 })
      .map((xs) => String.fromCharCode(...xs)),
  },
);
const boundArb: fc.Arbitrary<string> = fc.oneof(
  keyArb,
  fc.constant(''),
  fc
    .array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 2 })
    .map((xs) => String.fromCharCode(...xs)),
);
const valueArb: fc.Arbitrary<ValueSpec> = fc.record({
  len: fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 10, arbitrary: fc.integer({ min: 1, max: 200 }) },
    { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 40_000 }) },
  ),
  fill: fc.integer({ min: 0, max: 255 }),
});
const rangeArb: fc.Arbitrary<Range> = fc.record(
  { gt: boundArb, gte: boundArb, lt: boundArb, lte: boundArb, prefix: boundArb },
  { requiredKeys: [] },
);
const snapIdx = fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(3) });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ t: fc.constant('put'), k: keyArb, v: valueArb, asString: fc.boolean() }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('del'), k: keyArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('batch'),
      ops: fc.array(
        fc.oneof(
          fc.record({ put: fc.constant(true as const), k: keyArb, v: valueArb }),
          fc.record({ put: fc.constant(false as const), k: keyArb }),
        ),
        { maxLength: 8 },
      ),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('get' as const, 'getSync' as const), k: keyArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('getMany'), ks: fc.array(keyArb, { maxLength: 5 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('iter'),
      range: rangeArb,
      reverse: fc.boolean(),
      limit: fc.option(fc.nat(6), { nil: undefined }),
      snap: snapIdx,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('cursor'),
      range: rangeArb,
      reverse: fc.boolean(),
      seek: fc.option(boundArb, { nil: null }),
      steps: fc.array(fc.boolean(), { maxLength: 8 }),
      snap: snapIdx,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'snap' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release'), i: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
);

/** The compaction sets' mix: fewer reopens, plus manual compactions, waits and held iterators. */
const compactionOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 24, arbitrary: opArb },
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant('put' as const), k: keyArb, v: valueArb, asString: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.option(boundArb, { nil: undefined }), fc.option(boundArb, { nil: undefined }))
      .map(([a, b]): Op => {
        const [lo, hi] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
        return { t: 'compactRange', lo, hi };
      }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'waitForCompaction' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('holdIter' as const),
      range: rangeArb,
      reverse: fc.boolean(),
      first: fc.nat(3),
      snap: snapIdx,
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('readIter' as const), i: fc.nat(3), n: fc.nat(4) }) },
);

// ------------------------------------------------------------------ the model

const bin = (b: Buffer): string => b.toString('latin1');
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const valueOf = (v: ValueSpec): Buffer => {
  const b = Buffer.alloc(v.len, v.fill);
  if (v.len >= 4) b.writeUInt32LE(v.len ^ (v.fill << 8), 0);
  return b;
};
const isAscii = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) < 0x80);
/** The key as the API takes it: a string when that means the same bytes, else a Uint8Array (not a Buffer). */
const keyArg = (k: string, asString: boolean): string | Uint8Array =>
  asString && isAscii(k) ? k : new Uint8Array(bytes(k));

function inRange(k: string, r: Range): boolean {
  if (r.gt !== undefined && !(k > r.gt)) return false;
  if (r.gte !== undefined && !(k >= r.gte)) return false;
  if (r.lt !== undefined && !(k < r.lt)) return false;
  if (r.lte !== undefined && !(k <= r.lte)) return false;
  if (r.prefix !== undefined && !k.startsWith(r.prefix)) return false;
  return true;
}
function modelScan(m: Model, r: Range, reverse: boolean): string[] {
  const ks = [...m.keys()].filter((k) => inRange(k, r)).sort();
  return reverse ? ks.reverse() : ks;
}
function rangeArg(r: Range): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(r).map(([n, s]) => [n, bytes(s as string)]));
}

// ------------------------------------------------------------------ one run

interface Env {
  dir: string;
  options: Partial<Options>;
  /** The directory's entry names. */
  list: () => string[];
  cleanup: () => void;
}

/** Per option set: compactions seen (summed over every open of every run), to prove compaction ran. */
interface Tally {
  compactions: number;
  manual: number;
  heldIterChecks: number;
  /** The deepest level that held a table at some close. */
  deepest: number;
}

/** An iterator opened earlier, with the entries it must still yield (its stable view). */
interface Held {
  it: DBIterator;
  want: (readonly [string, Buffer])[];
  pos: number;
}

/** Reads up to `n` more entries of a held iterator (all when n < 0) and checks them; true when exhausted. */
function readHeld(h: Held, n: number, where: string): boolean {
  for (let i = 0; n < 0 || i < n; i++) {
    const r = h.it.next();
    if (r.done === true) {
      assert.equal(h.pos, h.want.length, `${where}: held iterator ended early`);
      return true;
    }
    const [k, v] = r.value;
    const w = h.want[h.pos++];
    assert.deepEqual([bin(k!), v], w === undefined ? undefined : [w[0], w[1]], `${where}: held iterator`);
  }
  return false;
}

async function run(ops: Op[], makeEnv: () => Env, tally: Tally): Promise<void> {
  const env = makeEnv();
  let db = await GraniteDB.open(env.dir, env.options);
  const model: Model = new Map();
  let snaps: { snap: Snapshot; model: Model }[] = [];
  let held: Held[] = [];
  const view = (i: number): { snap?: Snapshot; model: Model } =>
    i < 0 || snaps.length === 0 ? { model } : snaps[i % snaps.length]!;
  const closeDb = async (): Promise<void> => {
    if (db.closed) return;
    // Drain every held iterator first: whatever compacted meanwhile, each still yields its view.
    for (const h of held) {
      readHeld(h, -1, 'before close');
      h.it.close();
      tally.heldIterChecks++;
    }
    held = [];
    const st = db.stats();
    tally.compactions += st.counters.compactions;
    for (const l of st.levels) if (l.files > 0 && l.level > tally.deepest) tally.deepest = l.level;
    await db.close();
  };
  try {
    for (const [step, op] of ops.entries()) {
      const where = `step ${step} ${op.t}`;
      switch (op.t) {
        case 'put':
          await db.put(keyArg(op.k, op.asString), valueOf(op.v));
          model.set(op.k, valueOf(op.v));
          break;
        case 'del':
          await db.delete(keyArg(op.k, true));
          model.delete(op.k);
          break;
        case 'batch': {
          const b = new WriteBatch();
          for (const o of op.ops) {
            if (o.put) {
              b.put(keyArg(o.k, false), valueOf(o.v));
              model.set(o.k, valueOf(o.v));
            } else {
              b.delete(keyArg(o.k, true));
              model.delete(o.k);
            }
          }
          await db.write(b, { sync: op.ops.length % 2 === 0 });
          break;
        }
        case 'get':
          assert.deepEqual(await db.get(keyArg(op.k, true)), model.get(op.k), where);
          break;
        case 'getSync':
          assert.deepEqual(db.getSync(keyArg(op.k, false)), model.get(op.k), where);
          break;
        case 'getMany': {
          const s = snaps.length > 0 ? snaps[snaps.length - 1]! : undefined;
          const got = await db.getMany(
            op.ks.map((k) => keyArg(k, true)),
            s ? { snapshot: s.snap } : undefined,
          );
          assert.deepEqual(
            got,
            op.ks.map((k) => (s?.model ?? model).get(k)),
            where,
          );
          break;
        }
        case 'iter': {
          const v = view(op.snap);
          const it = db.iterator({
            ...rangeArg(op.range),
            reverse: op.reverse,
            limit: op.limit,
            snapshot: v.snap,
          });
          const got = [...it].map(([k, val]) => [bin(k!), val] as const);
          let want = modelScan(v.model, op.range, op.reverse).map((k) => [k, v.model.get(k)] as const);
          if (op.limit !== undefined) want = want.slice(0, op.limit);
          assert.deepEqual(got, want, `${where} ${JSON.stringify(op)}`);
          break;
        }
        case 'cursor': {
          const v = view(op.snap);
          const keys = modelScan(v.model, op.range, op.reverse); // in iteration order
          const c = db.cursor({ ...rangeArg(op.range), reverse: op.reverse, snapshot: v.snap });
          try {
            let i: number;
            if (op.seek === null) {
              c.seekToFirst();
              i = 0;
            } else {
              const t = op.seek;
              c.seek(bytes(t));
              i = keys.findIndex((k) => (op.reverse ? k <= t : k >= t));
              if (i < 0) i = keys.length;
            }
            for (const forward of [...op.steps, true]) {
              const want = i >= 0 && i < keys.length ? keys[i] : undefined;
              assert.equal(c.valid(), want !== undefined, `${where} valid ${JSON.stringify(op)}`);
              if (want === undefined) break;
              assert.equal(bin(c.key()), want, `${where} key ${JSON.stringify(op)}`);
              assert.deepEqual(c.value(), v.model.get(want), where);
              if (forward) c.next();
              else c.prev();
              i += forward ? 1 : -1;
            }
          } finally {
            c.close();
          }
          break;
        }
        case 'snap':
          snaps.push({ snap: db.snapshot(), model: new Map(model) });
          break;
        case 'release':
          if (snaps.length > 0) {
            const [s] = snaps.splice(op.i % snaps.length, 1);
            s!.snap.release();
            assert.throws(() => db.getSync('a', { snapshot: s!.snap }), { code: 'INVALID_ARGUMENT' });
          }
          break;
        case 'flush':
          await db.flush();
          break;
        case 'reopen':
          await closeDb();
          for (const s of snaps) s.snap.release();
          snaps = [];
          db = await GraniteDB.open(env.dir, env.options);
          break;
        case 'compactRange':
          await db.compactRange(
            op.lo === undefined ? undefined : bytes(op.lo),
            op.hi === undefined ? undefined : bytes(op.hi),
          );
          tally.manual++;
          break;
        case 'waitForCompaction':
          await db.waitForCompaction();
          assert.equal(db.stats().compacting, false, where);
          break;
        case 'holdIter': {
          const v = view(op.snap);
          const it = db.iterator({ ...rangeArg(op.range), reverse: op.reverse, snapshot: v.snap });
          const want = modelScan(v.model, op.range, op.reverse).map((k) => [k, v.model.get(k)!] as const);
          const h: Held = { it, want, pos: 0 };
          if (readHeld(h, op.first, where)) it.close();
          else held.push(h);
          break;
        }
        case 'readIter':
          if (held.length > 0) {
            const i = op.i % held.length;
            if (readHeld(held[i]!, op.n, where)) {
              held[i]!.it.close();
              held.splice(i, 1);
              tally.heldIterChecks++;
            }
          }
          break;
      }
    }
    // Final check, after one more reopen: everything the model holds, nothing else.
    await closeDb();
    for (const s of snaps) s.snap.release();
    db = await GraniteDB.open(env.dir, env.options);
    const all = [...db.iterator()].map(([k, val]) => [bin(k!), val] as const);
    assert.deepEqual(
      all,
      modelScan(model, {}, false).map((k) => [k, model.get(k)] as const),
      'final scan',
    );
    // No orphans: once background work is done, every table on disk is in the current version; the same
    // after another reopen (which deletes whatever nothing references).
    for (let pass = 0; pass < 2; pass++) {
      await db.waitForCompaction();
      const stats = db.stats();
      assert.deepEqual(orphanProblems(env.list(), stats), [], `orphans (pass ${pass})`);
      if (pass === 0) {
        await closeDb();
        db = await GraniteDB.open(env.dir, env.options);
      }
    }
  } finally {
    for (const h of held) h.it.close();
    if (!db.closed) tally.compactions += db.stats().counters.compactions;
    await db.close();
    env.cleanup();
  }
}

// ------------------------------------------------------------------ option sets

const seed = seedFromEnv();
console.log(`model.test seed=${seed} (rerun with SEED=${seed})`);

function onDisk(options: Partial<Options>): () => Env {
  return () => {
    const dir = makeTempDir('granite-model-');
    return { dir, options, list: () => readdirSync(dir), cleanup: () => removeDir(dir) };
  };
}
function inMemory(options: Partial<Options>): () => Env {
  return () => {
    const fs = new MemoryFileSystem();
    return {
      dir: '/db',
      options: { ...options, fileSystem: fs },
      list: () => fs.list('/db'),
      cleanup: () => {},
    };
  };
}

interface OptionSet {
  name: string;
  env: () => Env;
  numRuns: number;
  /** Compaction sets: the extended op mix, longer runs, and compactions must have run. */
  compaction?: boolean;
}

const SETS: OptionSet[] = [
  {
    name: 'tiny memtable 4 KiB, bloom on, blockSize 256',
    env: onDisk(tinyOptions({ memtableSize: 4096 })),
    numRuns: 150,
  },
  {
    name: 'memtable 16 KiB, bloom off, default blockSize',
    env: onDisk({ memtableSize: 16384, bloomBitsPerKey: 0, restartInterval: 4 }),
    numRuns: 150,
  },
  {
    name: 'MemoryFileSystem, tiny options, restartInterval 1, snappy blocks',
    env: inMemory(
      tinyOptions({ memtableSize: 4096, restartInterval: 1, blockSize: 64, compression: 'snappy' }),
    ),
    numRuns: 250,
  },
  {
    name: 'compaction: leveled, worker thread (real directory), L0 trigger 2, 4 KiB targets',
    env: onDisk(compactionOptions('leveled', { backgroundThreads: 1, flushInWorker: true })),
    numRuns: 40,
    compaction: true,
  },
  {
    name: 'compaction: tiered, worker thread (real directory), trigger 3, lz4 blocks',
    env: onDisk(
      compactionOptions('tiered', { backgroundThreads: 1, level0CompactionTrigger: 3, compression: 'lz4' }),
    ),
    numRuns: 40,
    compaction: true,
  },
  {
    name: 'compaction: leveled, in-process (MemoryFileSystem), 16 KiB targets, 64 KiB L1, trigger 4, snappy',
    env: inMemory(
      compactionOptions('leveled', {
        compression: 'snappy',
        targetFileSize: 16384,
        maxBytesForLevelBase: 65536,
        level0CompactionTrigger: 4,
      }),
    ),
    numRuns: 150,
    compaction: true,
  },
  {
    name: 'compaction: leveled, in-process (backgroundThreads 0, real directory), 8 KiB targets',
    env: onDisk(compactionOptions('leveled', { backgroundThreads: 0, targetFileSize: 8192 })),
    numRuns: 25,
    compaction: true,
  },
  {
    name: 'compaction: tiered, in-process (MemoryFileSystem), trigger 2',
    env: inMemory(compactionOptions('tiered')),
    numRuns: 150,
    compaction: true,
  },
];

for (const [i, set] of SETS.entries()) {
  test(`model: ${set.name}`, async () => {
    const tally: Tally = { compactions: 0, manual: 0, heldIterChecks: 0, deepest: 0 };
    const ops = set.compaction === true ? compactionOpArb : opArb;
    const maxLength = set.compaction === true ? 300 : 120;
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 1, maxLength, size: 'max' }), (xs) =>
        run(xs, set.env, tally),
      ),
      { seed: seed + i, numRuns: set.numRuns, endOnFailure: false },
    );
    if (set.compaction === true) {
      console.log(`model: ${set.name}: ${JSON.stringify(tally)}`);
      assert.ok(tally.compactions > set.numRuns, `compaction ran: ${JSON.stringify(tally)}`);
      assert.ok(tally.manual > 0 && tally.heldIterChecks > 0, JSON.stringify(tally));
    }
  });
}
