// The db_bench-style workloads of ../shared/PERF.md, grouped into phases. A phase is one fresh
// database inside one child process: its first workload fills it and the rest run on what the fill
// (and any earlier workload of the phase) left behind, with no pause for background compaction, as
// db_bench does. Each `run` does its own set-up (index arrays, value views) before starting a clock.
import type { Engine } from './adapters/engine.js';
import { KEY_BYTES, type KeySpace, type ValueSource, permutation, randomIndexes } from './data.js';
import { driveAsync, driveSync } from './drive.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';

export const WORKLOADS = [
  'fillseq',
  'fillrandom',
  'overwrite',
  'readrandom',
  'readrandomsync',
  'readmissing',
  'seekrandom',
  'readseq',
  'fillrandomsingle',
  'fillsync',
  'fill4k',
  'readrandom4k',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const BATCH = 1000;
export const IN_FLIGHT = 256;
export const SYNC_WRITERS = 64;
export const SEEK_ENTRIES = 10;
export const SMALL_VALUE = 100;
export const LARGE_VALUE = 4096;

/** Phases in the order a child runs them; the first workload of each fills a fresh database. */
export interface Phase {
  name: string;
  workloads: readonly WorkloadName[];
  /** The phase writes with sync: true (see OpenOptions.syncWrites). */
  syncWrites: boolean;
}

export const PHASES: readonly Phase[] = [
  { name: 'seq', workloads: ['fillseq'], syncWrites: false },
  {
    name: 'main',
    workloads: [
      'fillrandom',
      'overwrite',
      'readrandom',
      'readrandomsync',
      'readmissing',
      'seekrandom',
      'readseq',
    ],
    syncWrites: false,
  },
  { name: 'single', workloads: ['fillrandomsingle'], syncWrites: false },
  { name: 'sync', workloads: ['fillsync'], syncWrites: true },
  { name: 'large', workloads: ['fill4k', 'readrandom4k'], syncWrites: false },
];

/** Everything a workload needs; built once per child, before any clock starts. */
export interface Context {
  engine: Engine;
  num: number;
  seed: number;
  keys: KeySpace;
  small: ValueSource;
  large: () => ValueSource;
}

export interface Outcome {
  ops: number;
  seconds: number;
  /** Key + value bytes moved by the operations (user bytes, for MB/s and write amplification). */
  bytes: number;
  /** How the operations were issued, e.g. 'batch 1000' or 'async ×256'. */
  mode: string;
  latency?: LatencySummary;
  /** Set when the engine cannot run this workload; then nothing was measured. */
  skipped?: string;
  /** Anything a reader of the figure should know (e.g. keys not found). */
  warnings?: string[];
}

export interface WorkloadSpec {
  name: WorkloadName;
  kind: 'write' | 'read';
  /** One line for the report: what is measured, with the operation count for `num`. */
  describe(num: number): string;
  run(ctx: Context): Promise<Outcome>;
}

/** Operation counts derived from --num. */
export const sizes = (num: number) => ({
  seeks: Math.max(1, Math.floor(num / 10)),
  syncPuts: Math.min(num, Math.max(1000, Math.floor(num / 100))),
  large: Math.max(1, Math.floor(num / 5)),
});

// Seeds per purpose, so each workload's order is independent of which others ran.
const SEED = { perm: 1, overwrite: 2, read: 3, missing: 4, seek: 5, single: 6, sync: 7, large: 8, read4k: 9 };
const GEN = { fill: 0, overwrite: 1, single: 2, sync: 3 };
const VERIFY_SAMPLE = 1000;

async function fillBatches(
  ctx: Context,
  order: (j: number) => number,
  count: number,
  values: ValueSource,
  gen: number,
): Promise<Outcome> {
  const { engine, keys } = ctx;
  const batches: { ks: Buffer[]; vs: Buffer[] }[] = [];
  const start = performance.now();
  for (let from = 0; from < count; from += BATCH) {
    const n = Math.min(BATCH, count - from);
    if (batches[n] === undefined) batches[n] = { ks: new Array<Buffer>(n), vs: new Array<Buffer>(n) };
    const { ks, vs } = batches[n]!;
    for (let j = 0; j < n; j++) {
      const i = order(from + j);
      ks[j] = keys.key(i);
      vs[j] = values.value(i, gen);
    }
    await engine.writeBatch(ks, vs);
  }
  const seconds = (performance.now() - start) / 1000;
  return { ops: count, seconds, bytes: count * (KEY_BYTES + values.size), mode: `batch ${BATCH}` };
}

/** Reads back a sample of what a fill wrote (untimed); a wrong or missing value aborts the run. */
async function verify(
  ctx: Context,
  order: (j: number) => number,
  count: number,
  values: ValueSource,
  gen: number,
) {
  const step = Math.max(1, Math.floor(count / VERIFY_SAMPLE));
  for (let j = 0; j < count; j += step) {
    const i = order(j);
    const got = await ctx.engine.get(ctx.keys.key(i));
    if (got === undefined || Buffer.compare(got, values.value(i, gen)) !== 0) {
      throw new Error(
        `${ctx.engine.name}: wrong value for ${ctx.keys.key(i).toString('latin1')} after a fill`,
      );
    }
  }
}

/** Point reads of `indexes`, sync where asked and available, else async with IN_FLIGHT in flight. */
async function pointReads(
  ctx: Context,
  indexes: Uint32Array,
  keyOf: (i: number) => Buffer,
  sync: boolean,
  expectFound: boolean,
  valueSize: number,
): Promise<Outcome> {
  const { engine } = ctx;
  const lat = new LatencyRecorder();
  let found = 0;
  let seconds: number;
  let mode: string;
  if (sync && engine.getSync !== undefined) {
    const getSync = engine.getSync.bind(engine);
    mode = 'sync';
    seconds = driveSync(indexes.length, (j) => getSync(keyOf(indexes[j]!)) !== undefined && found++, lat);
  } else {
    mode = `async ×${IN_FLIGHT}`;
    const read = async (j: number): Promise<void> => {
      if ((await engine.get(keyOf(indexes[j]!))) !== undefined) found++;
    };
    seconds = await driveAsync(indexes.length, IN_FLIGHT, read, lat);
  }
  const expected = expectFound ? indexes.length : 0;
  const warnings = found === expected ? undefined : [`${found} of ${indexes.length} keys found`];
  const bytes = indexes.length * KEY_BYTES + found * valueSize;
  return { ops: indexes.length, seconds, bytes, mode, latency: lat.summary(), warnings };
}

async function singlePuts(
  ctx: Context,
  count: number,
  inFlight: number,
  sync: boolean,
  seed: number,
  gen: number,
) {
  const { engine, keys, small, num } = ctx;
  const order = permutation(num, seed);
  const lat = new LatencyRecorder();
  const put = (j: number): Promise<void> =>
    engine.put(keys.key(order[j]!), small.value(order[j]!, gen), sync);
  const seconds = await driveAsync(count, inFlight, put, lat);
  await verify(ctx, (j) => order[j]!, count, small, gen);
  const mode = `async ×${inFlight}${sync ? ' sync' : ''}`;
  return { ops: count, seconds, bytes: count * (KEY_BYTES + small.size), mode, latency: lat.summary() };
}

export const SPECS: Record<WorkloadName, WorkloadSpec> = {
  fillseq: {
    name: 'fillseq',
    kind: 'write',
    describe: (n) => `${n} puts in ascending key order, batches of ${BATCH}`,
    async run(ctx) {
      const out = await fillBatches(ctx, (j) => j, ctx.num, ctx.small, GEN.fill);
      await verify(ctx, (j) => j, ctx.num, ctx.small, GEN.fill);
      return out;
    },
  },
  fillrandom: {
    name: 'fillrandom',
    kind: 'write',
    describe: (n) => `${n} puts, a shuffled permutation of all keys, batches of ${BATCH}`,
    async run(ctx) {
      const order = permutation(ctx.num, SEED.perm ^ ctx.seed);
      const out = await fillBatches(ctx, (j) => order[j]!, ctx.num, ctx.small, GEN.fill);
      await verify(ctx, (j) => order[j]!, ctx.num, ctx.small, GEN.fill);
      return out;
    },
  },
  overwrite: {
    name: 'overwrite',
    kind: 'write',
    describe: (n) => `${n} puts of uniformly random existing keys, batches of ${BATCH}`,
    run(ctx) {
      const order = randomIndexes(ctx.num, ctx.num, SEED.overwrite ^ ctx.seed);
      return fillBatches(ctx, (j) => order[j]!, ctx.num, ctx.small, GEN.overwrite);
    },
  },
  readrandom: {
    name: 'readrandom',
    kind: 'read',
    describe: (n) => `${n} gets of random existing keys, async, ${IN_FLIGHT} in flight`,
    run(ctx) {
      const idx = randomIndexes(ctx.num, ctx.num, SEED.read ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.key(i), false, true, SMALL_VALUE);
    },
  },
  readrandomsync: {
    name: 'readrandomsync',
    kind: 'read',
    describe: (n) => `${n} sync gets of random existing keys (engines with a sync get)`,
    async run(ctx) {
      if (ctx.engine.getSync === undefined) return skipped('no sync get');
      const idx = randomIndexes(ctx.num, ctx.num, SEED.read ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.key(i), true, true, SMALL_VALUE);
    },
  },
  readmissing: {
    name: 'readmissing',
    kind: 'read',
    describe: (n) => `${n} gets of absent keys inside the key range; sync where available, else async`,
    run(ctx) {
      const idx = randomIndexes(ctx.num, ctx.num, SEED.missing ^ ctx.seed);
      ctx.keys.missingKey(0); // build the arena before the clock starts
      return pointReads(ctx, idx, (i) => ctx.keys.missingKey(i), true, false, SMALL_VALUE);
    },
  },
  seekrandom: {
    name: 'seekrandom',
    kind: 'read',
    describe: (n) =>
      `${sizes(n).seeks} × (iterator at a random key, read ${SEEK_ENTRIES}, close); sync where available, ` +
      `else async, ${IN_FLIGHT} in flight`,
    async run(ctx) {
      const { engine, keys } = ctx;
      const idx = randomIndexes(sizes(ctx.num).seeks, ctx.num, SEED.seek ^ ctx.seed);
      const lat = new LatencyRecorder();
      let entries = 0;
      let seconds: number;
      let mode: string;
      if (engine.seekSync !== undefined) {
        const seekSync = engine.seekSync.bind(engine);
        mode = 'sync';
        seconds = driveSync(idx.length, (j) => (entries += seekSync(keys.key(idx[j]!), SEEK_ENTRIES)), lat);
      } else {
        mode = `async ×${IN_FLIGHT}`;
        const seek = async (j: number): Promise<void> => {
          const n = await engine.seek(keys.key(idx[j]!), SEEK_ENTRIES);
          entries += n; // not `entries += await …`, which would add to a stale read of entries
        };
        seconds = await driveAsync(idx.length, IN_FLIGHT, seek, lat);
      }
      const bytes = entries * (KEY_BYTES + SMALL_VALUE);
      return { ops: idx.length, seconds, bytes, mode, latency: lat.summary() };
    },
  },
  readseq: {
    name: 'readseq',
    kind: 'read',
    describe: () => 'one full forward scan; ops = entries read',
    async run(ctx) {
      const start = performance.now();
      const { entries, bytes } = await ctx.engine.scan();
      const seconds = (performance.now() - start) / 1000;
      const warnings =
        entries === ctx.num ? undefined : [`scan read ${entries} entries, expected ${ctx.num}`];
      return { ops: entries, seconds, bytes, mode: 'scan', warnings };
    },
  },
  fillrandomsingle: {
    name: 'fillrandomsingle',
    kind: 'write',
    describe: (n) => `${n} single puts in random order, async, ${IN_FLIGHT} in flight, unsynced`,
    run: (ctx) => singlePuts(ctx, ctx.num, IN_FLIGHT, false, SEED.single ^ ctx.seed, GEN.single),
  },
  fillsync: {
    name: 'fillsync',
    kind: 'write',
    describe: (n) => `${sizes(n).syncPuts} puts with sync: true from ${SYNC_WRITERS} concurrent writers`,
    run: (ctx) =>
      singlePuts(ctx, sizes(ctx.num).syncPuts, SYNC_WRITERS, true, SEED.sync ^ ctx.seed, GEN.sync),
  },
  fill4k: {
    name: 'fill4k',
    kind: 'write',
    describe: (n) =>
      `${sizes(n).large} puts of ${LARGE_VALUE}-byte values, random order, batches of ${BATCH}`,
    async run(ctx) {
      const count = sizes(ctx.num).large;
      const order = permutation(count, SEED.large ^ ctx.seed);
      const out = await fillBatches(ctx, (j) => order[j]!, count, ctx.large(), GEN.fill);
      await verify(ctx, (j) => order[j]!, count, ctx.large(), GEN.fill);
      return out;
    },
  },
  readrandom4k: {
    name: 'readrandom4k',
    kind: 'read',
    describe: (n) =>
      `${sizes(n).large} gets of random ${LARGE_VALUE}-byte values, async, ${IN_FLIGHT} in flight`,
    run(ctx) {
      const count = sizes(ctx.num).large;
      const idx = randomIndexes(count, count, SEED.read4k ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.key(i), false, true, LARGE_VALUE);
    },
  },
};

function skipped(reason: string): Outcome {
  return { ops: 0, seconds: 0, bytes: 0, mode: '-', skipped: reason };
}
