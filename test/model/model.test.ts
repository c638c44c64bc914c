// Model-based random test (STYLE.md "Tests"; after Pebble's metamorphic tests): random sequences of writes,
// reads, iterators, cursor walks, snapshots, flushes and reopens run against GraniteDB and against a Map, and
// every read must agree. Tiny memtables make many L0 tables; keys include 0x00/0xff bytes and shared prefixes,
// values range from empty to tens of KiB. Runs over several option sets, one on MemoryFileSystem.
// Reproduce a failure with SEED=<printed seed> (fast-check shrinks it and prints the counterexample).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GraniteDB, WriteBatch, type Options, type Snapshot } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import { makeTempDir, removeDir, seedFromEnv, tinyOptions } from '../../src/testing/index.js';

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
  | { t: 'reopen' };

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
  cleanup: () => void;
}

async function run(ops: Op[], makeEnv: () => Env): Promise<void> {
  const env = makeEnv();
  let db = await GraniteDB.open(env.dir, env.options);
  const model: Model = new Map();
  let snaps: { snap: Snapshot; model: Model }[] = [];
  const view = (i: number): { snap?: Snapshot; model: Model } =>
    i < 0 || snaps.length === 0 ? { model } : snaps[i % snaps.length]!;
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
          await db.close();
          for (const s of snaps) s.snap.release();
          snaps = [];
          db = await GraniteDB.open(env.dir, env.options);
          break;
      }
    }
    // Final check, after one more reopen: everything the model holds, nothing else.
    await db.close();
    db = await GraniteDB.open(env.dir, env.options);
    const all = [...db.iterator()].map(([k, val]) => [bin(k!), val] as const);
    assert.deepEqual(
      all,
      modelScan(model, {}, false).map((k) => [k, model.get(k)] as const),
      'final scan',
    );
  } finally {
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
    return { dir, options, cleanup: () => removeDir(dir) };
  };
}
function inMemory(options: Partial<Options>): () => Env {
  return () => ({
    dir: '/db',
    options: { ...options, fileSystem: new MemoryFileSystem() },
    cleanup: () => {},
  });
}

const SETS: { name: string; env: () => Env; numRuns: number }[] = [
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
    name: 'MemoryFileSystem, tiny options, restartInterval 1',
    env: inMemory(tinyOptions({ memtableSize: 4096, restartInterval: 1, blockSize: 64 })),
    numRuns: 250,
  },
];

for (const [i, set] of SETS.entries()) {
  test(`model: ${set.name}`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }), (ops) =>
        run(ops, set.env),
      ),
      { seed: seed + i, numRuns: set.numRuns, endOnFailure: false },
    );
  });
}
