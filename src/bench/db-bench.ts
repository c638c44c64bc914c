// The db_bench-style workloads of the project performance brief (PERF.md): 16-byte keys, 100-byte
// values unless stated. They run in phases (workloads.ts): a phase's first workload fills a fresh
// database and the rest run on what it (and any earlier workload of the phase) left behind, with no
// pause for background compaction, as db_bench does. Each `run` does its own set-up (index arrays,
// value views) before starting a clock.
import { performance } from 'node:perf_hooks';
import { KEY_BYTES, type ValueSource, indexArray, permutation, randomIndexes } from './data.js';
import { driveAsync, driveSync } from './drive.js';
import { type Context, type Outcome, type Sizes, type WorkloadSpec, skipped } from './spec.js';

// Every workload's index array is the one process-wide buffer (indexArray, ADR 0021): valid for that workload.
const shuffled = (n: number, seed: number): Uint32Array => permutation(n, seed, indexArray(n));
const randomOf = (n: number, range: number, seed: number): Uint32Array =>
  randomIndexes(n, range, seed, indexArray(n));

export const DB_BENCH_WORKLOADS = [
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
export type DbBenchWorkload = (typeof DB_BENCH_WORKLOADS)[number];

export const BATCH = 1000;
export const IN_FLIGHT = 256;
export const SYNC_WRITERS = 64;
export const SEEK_ENTRIES = 10;
export const SMALL_VALUE = 100;
export const LARGE_VALUE = 4096;

/** Operation counts derived from --num. */
export const counts = (num: number) => ({
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
  const lat = ctx.recorder();
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
  const order = shuffled(num, seed);
  const lat = ctx.recorder();
  const put = (j: number): Promise<void> =>
    engine.put(keys.key(order[j]!), small.value(order[j]!, gen), sync);
  const seconds = await driveAsync(count, inFlight, put, lat);
  await verify(ctx, (j) => order[j]!, count, small, gen);
  const mode = `async ×${inFlight}${sync ? ' sync' : ''}`;
  return { ops: count, seconds, bytes: count * (KEY_BYTES + small.size), mode, latency: lat.summary() };
}

export const DB_BENCH_SPECS: Record<DbBenchWorkload, WorkloadSpec<DbBenchWorkload>> = {
  fillseq: {
    name: 'fillseq',
    group: 'db_bench',
    kind: 'write',
    describe: ({ num: n }: Sizes) => `${n} puts in ascending key order, batches of ${BATCH}`,
    async run(ctx) {
      const out = await fillBatches(ctx, (j) => j, ctx.num, ctx.small, GEN.fill);
      await verify(ctx, (j) => j, ctx.num, ctx.small, GEN.fill);
      return out;
    },
  },
  fillrandom: {
    name: 'fillrandom',
    group: 'db_bench',
    kind: 'write',
    describe: ({ num: n }: Sizes) => `${n} puts, a shuffled permutation of all keys, batches of ${BATCH}`,
    async run(ctx) {
      const order = shuffled(ctx.num, SEED.perm ^ ctx.seed);
      const out = await fillBatches(ctx, (j) => order[j]!, ctx.num, ctx.small, GEN.fill);
      await verify(ctx, (j) => order[j]!, ctx.num, ctx.small, GEN.fill);
      return out;
    },
  },
  overwrite: {
    name: 'overwrite',
    group: 'db_bench',
    kind: 'write',
    describe: ({ num: n }: Sizes) => `${n} puts of uniformly random existing keys, batches of ${BATCH}`,
    run(ctx) {
      const order = randomOf(ctx.num, ctx.num, SEED.overwrite ^ ctx.seed);
      return fillBatches(ctx, (j) => order[j]!, ctx.num, ctx.small, GEN.overwrite);
    },
  },
  readrandom: {
    name: 'readrandom',
    group: 'db_bench',
    kind: 'read',
    describe: ({ num: n }: Sizes) => `${n} gets of random existing keys, async, ${IN_FLIGHT} in flight`,
    run(ctx) {
      const idx = randomOf(ctx.num, ctx.num, SEED.read ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.key(i), false, true, SMALL_VALUE);
    },
  },
  readrandomsync: {
    name: 'readrandomsync',
    group: 'db_bench',
    kind: 'read',
    describe: ({ num: n }: Sizes) => `${n} sync gets of random existing keys (engines with a sync get)`,
    async run(ctx) {
      if (ctx.engine.getSync === undefined) return skipped('no sync get');
      const idx = randomOf(ctx.num, ctx.num, SEED.read ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.key(i), true, true, SMALL_VALUE);
    },
  },
  readmissing: {
    name: 'readmissing',
    group: 'db_bench',
    kind: 'read',
    describe: ({ num: n }: Sizes) =>
      `${n} gets of absent keys inside the key range; sync where available, else async`,
    run(ctx) {
      const idx = randomOf(ctx.num, ctx.num, SEED.missing ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.missingKey(i), true, false, SMALL_VALUE);
    },
  },
  seekrandom: {
    name: 'seekrandom',
    group: 'db_bench',
    kind: 'read',
    describe: ({ num: n }: Sizes) =>
      `${counts(n).seeks} × (iterator at a random key, read ${SEEK_ENTRIES}, close); sync where available, ` +
      `else async, ${IN_FLIGHT} in flight`,
    async run(ctx) {
      const { engine, keys } = ctx;
      const idx = randomOf(counts(ctx.num).seeks, ctx.num, SEED.seek ^ ctx.seed);
      const lat = ctx.recorder();
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
    group: 'db_bench',
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
    group: 'db_bench',
    kind: 'write',
    describe: ({ num: n }: Sizes) =>
      `${n} single puts in random order, async, ${IN_FLIGHT} in flight, unsynced`,
    run: (ctx) => singlePuts(ctx, ctx.num, IN_FLIGHT, false, SEED.single ^ ctx.seed, GEN.single),
  },
  fillsync: {
    name: 'fillsync',
    group: 'db_bench',
    kind: 'write',
    describe: ({ num: n }: Sizes) =>
      `${counts(n).syncPuts} puts with sync: true from ${SYNC_WRITERS} concurrent writers`,
    run: (ctx) =>
      singlePuts(ctx, counts(ctx.num).syncPuts, SYNC_WRITERS, true, SEED.sync ^ ctx.seed, GEN.sync),
  },
  fill4k: {
    name: 'fill4k',
    group: 'db_bench',
    kind: 'write',
    describe: ({ num: n }: Sizes) =>
      `${counts(n).large} puts of ${LARGE_VALUE}-byte values, random order, batches of ${BATCH}`,
    async run(ctx) {
      const count = counts(ctx.num).large;
      const order = shuffled(count, SEED.large ^ ctx.seed);
      const out = await fillBatches(ctx, (j) => order[j]!, count, ctx.large(), GEN.fill);
      await verify(ctx, (j) => order[j]!, count, ctx.large(), GEN.fill);
      return out;
    },
  },
  readrandom4k: {
    name: 'readrandom4k',
    group: 'db_bench',
    kind: 'read',
    describe: ({ num: n }: Sizes) =>
      `${counts(n).large} gets of random ${LARGE_VALUE}-byte values, async, ${IN_FLIGHT} in flight`,
    run(ctx) {
      const count = counts(ctx.num).large;
      const idx = randomOf(count, count, SEED.read4k ^ ctx.seed);
      return pointReads(ctx, idx, (i) => ctx.keys.key(i), false, true, LARGE_VALUE);
    },
  },
};
