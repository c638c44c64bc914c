// The sustained-write scenario (compaction issue; PERF.md "compaction" bar): fillrandom of `sustainedNum`
// 16-byte keys with 100-byte values in batches of 1000 on a fresh database, then wait until the engine
// is idle. Measured:
//   - throughput over time: rate of each interval of sustainedNum/20 keys, and overall;
//   - per-batch write latency (stalls show up here on every engine) and the engine's own stall counters;
//   - write amplification: device bytes (/proc/self/io write_bytes − cancelled_write_bytes, all threads)
//     ÷ user key+value bytes, at the end of the writes and after the engine is idle; and the engine's
//     own count of bytes written to files where it has one;
//   - the shape of the tree (files and bytes per level) when idle;
//   - point-read latency while the writes and their compactions run: every SAMPLE_EVERY batches,
//     SAMPLE_GETS reads of random keys written so far (getSync where the engine has it, else get);
//   - point-read latency while the compactions left by the writes run with no writes beside them: while
//     the engine settles, a round of SAMPLE_GETS reads every SETTLE_SAMPLE_MS when the engine reports a
//     compaction running; then, with the tree idle, as many untimed warm-up reads as during the writes and
//     as many measured ones. Sample time is excluded from the write rates.
import { performance } from 'node:perf_hooks';
import { KEY_BYTES, Rng, permutation } from './data.js';
import type { TreeLevel } from './engine.js';
import type { LatencyRecorder, LatencySummary } from './latency.js';
import { readIo } from './probe.js';
import { type Context, type Outcome, type Sizes, type WorkloadSpec, skipped } from './spec.js';

export const SUSTAINED_BATCH = 1000;
export const SAMPLE_EVERY = 10;
export const SAMPLE_GETS = 20;
export const INTERVALS = 20;
/** Pause between rounds of reads while the engine settles after the writes. */
export const SETTLE_SAMPLE_MS = 5;
/** A batch slower than this counts as a slow batch (a stall, whatever the engine calls it). */
export const SLOW_BATCH_MS = 100;
const SEED = { perm: 11, sample: 12 };

export interface Interval {
  /** Keys written at the end of the interval. */
  keys: number;
  /** Write seconds (sample reads excluded) since the start, at the end of the interval. */
  seconds: number;
  opsPerSec: number;
}

export interface SustainedDetail {
  keys: number;
  batch: number;
  timeline: Interval[];
  writeSeconds: number;
  /** Seconds from the last write until the engine was idle. */
  settleSeconds: number;
  settleMethod: string;
  batchLatency: LatencySummary;
  slowBatches: number;
  stalls?: { count: number; millis: number; detail: string };
  userBytes: number;
  /** Device bytes written during the writes, and during writes + settling. */
  deviceBytes?: { writes: number; settled: number };
  writeAmp: { deviceWrites?: number; deviceSettled?: number; engine?: number; engineMethod?: string };
  levels?: TreeLevel[];
  read: {
    api: 'getSync' | 'get';
    during: LatencySummary;
    /** The subset of `during` taken while the engine reported a flush or compaction running. */
    duringCompaction?: LatencySummary;
    /** Taken after the writes, while the engine reported a compaction running (no writes beside it). */
    compactingAfterWrites?: LatencySummary;
    idle: LatencySummary;
    missing: number;
  };
}

function deviceBytes(): number | undefined {
  const io = readIo();
  return io === undefined ? undefined : Math.max(0, io.writeBytes - io.cancelledWriteBytes);
}

async function run(ctx: Context): Promise<Outcome> {
  const { engine } = ctx;
  if (engine.stats === undefined || engine.waitForCompaction === undefined)
    return skipped('the adapter exposes no compaction stats (sustained runs on granitedb and classic-level)');
  const n = ctx.sizes.sustainedNum;
  const keys = ctx.keys;
  const values = ctx.small;
  const order = permutation(n, SEED.perm ^ ctx.seed);
  const rng = new Rng(SEED.sample ^ ctx.seed);
  const getSync = engine.getSync?.bind(engine);
  const api = getSync !== undefined ? 'getSync' : 'get';
  const during = ctx.recorder();
  const duringCompaction = ctx.recorder();
  const idle = ctx.recorder();
  const afterWrites = ctx.recorder();
  const batchLat = ctx.recorder();
  const ks = new Array<Buffer>(SUSTAINED_BATCH);
  const vs = new Array<Buffer>(SUSTAINED_BATCH);
  const interval = Math.max(SUSTAINED_BATCH, Math.ceil(n / INTERVALS / SUSTAINED_BATCH) * SUSTAINED_BATCH);
  const timeline: Interval[] = [];
  let missing = 0;

  const sample = async (written: number, into: LatencyRecorder, also?: LatencyRecorder): Promise<void> => {
    for (let j = 0; j < SAMPLE_GETS; j++) {
      const key = keys.key(order[rng.below(written)]!);
      const t = performance.now();
      const v = getSync !== undefined ? getSync(key) : await engine.get(key);
      const ms = performance.now() - t;
      into.record(ms);
      also?.record(ms);
      if (v === undefined) missing++;
    }
  };

  const stats0 = engine.stats();
  const dev0 = deviceBytes();
  const start = performance.now();
  let sampleMs = 0;
  let slowBatches = 0;
  let lastMark = { keys: 0, seconds: 0 };
  let batches = 0;
  for (let from = 0; from < n; from += SUSTAINED_BATCH) {
    const m = Math.min(SUSTAINED_BATCH, n - from);
    const bk = m === SUSTAINED_BATCH ? ks : ks.slice(0, m);
    const bv = m === SUSTAINED_BATCH ? vs : vs.slice(0, m);
    for (let j = 0; j < m; j++) {
      const i = order[from + j]!;
      bk[j] = keys.key(i);
      bv[j] = values.value(i, 0);
    }
    const t = performance.now();
    await engine.writeBatch(bk, bv);
    const ms = performance.now() - t;
    batchLat.record(ms);
    if (ms >= SLOW_BATCH_MS) slowBatches++;
    const written = from + m;
    if (++batches % SAMPLE_EVERY === 0) {
      const s0 = performance.now();
      const compacting = engine.stats().compacting === true;
      await sample(written, during, compacting ? duringCompaction : undefined);
      sampleMs += performance.now() - s0;
    }
    if (written % interval === 0 || written === n) {
      const seconds = (performance.now() - start - sampleMs) / 1000;
      const dk = written - lastMark.keys;
      const dt = seconds - lastMark.seconds;
      timeline.push({ keys: written, seconds, opsPerSec: dt > 0 ? dk / dt : 0 });
      lastMark = { keys: written, seconds };
    }
  }
  const writeSeconds = (performance.now() - start - sampleMs) / 1000;
  const devWrites = deviceBytes();
  const settleStart = performance.now();
  let settled: { error?: unknown } | undefined;
  const idleReached = engine.waitForCompaction().then(
    () => void (settled = {}),
    (error: unknown) => void (settled = { error }),
  );
  while (settled === undefined) {
    if (engine.stats().compacting === true) await sample(n, afterWrites);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SAMPLE_MS));
  }
  await idleReached;
  if (settled.error !== undefined) throw settled.error;
  const settleSeconds = (performance.now() - settleStart) / 1000;
  const devSettled = deviceBytes();
  const stats1 = engine.stats();
  // Untimed warm-up first, so tables the compactions just wrote are open and cached, as they were
  // during the writes for the tables of that time; then the measured idle reads. Reads can start
  // compactions of their own (granitedb's and LevelDB's seek compaction), so the engine is waited for
  // again after the warm-up: the idle figures are taken with no compaction running.
  const loops = Math.max(1, Math.floor(during.count / SAMPLE_GETS));
  const warm = ctx.recorder();
  for (let k = 0; k < loops; k++) await sample(n, warm);
  await engine.waitForCompaction();
  for (let k = 0; k < loops; k++) await sample(n, idle);

  const userBytes = n * (KEY_BYTES + values.size);
  const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : (a - b) / userBytes;
  const engineWritten = stats1.bytesWritten.bytes - stats0.bytesWritten.bytes;
  const engineAmp = (engineWritten + (stats1.bytesWritten.includesWal ? 0 : userBytes)) / userBytes;
  const stalls =
    stats1.stalls === undefined
      ? undefined
      : {
          count: stats1.stalls.count - (stats0.stalls?.count ?? 0),
          millis: stats1.stalls.millis - (stats0.stalls?.millis ?? 0),
          detail: stats1.stalls.detail,
        };
  const detail: SustainedDetail = {
    keys: n,
    batch: SUSTAINED_BATCH,
    timeline,
    writeSeconds,
    settleSeconds,
    settleMethod: engine.idleMethod ?? 'waitForCompaction()',
    batchLatency: batchLat.summary(),
    slowBatches,
    stalls,
    userBytes,
    deviceBytes:
      dev0 === undefined || devWrites === undefined || devSettled === undefined
        ? undefined
        : { writes: devWrites - dev0, settled: devSettled - dev0 },
    writeAmp: {
      deviceWrites: ratio(devWrites, dev0),
      deviceSettled: ratio(devSettled, dev0),
      engine: engineAmp,
      engineMethod: stats1.bytesWritten.includesWal
        ? "engine's bytes written to files (WAL, flushes, compactions) ÷ user bytes"
        : "engine's table bytes written (flushes, compactions) + user bytes for the WAL, ÷ user bytes",
    },
    levels: stats1.levels.filter((l) => l.files > 0),
    read: {
      api,
      during: during.summary(),
      duringCompaction: duringCompaction.count > 0 ? duringCompaction.summary() : undefined,
      compactingAfterWrites: afterWrites.count > 0 ? afterWrites.summary() : undefined,
      idle: idle.summary(),
      missing,
    },
  };
  return {
    ops: n,
    seconds: writeSeconds,
    bytes: userBytes,
    mode: `batch ${SUSTAINED_BATCH}`,
    sustained: detail,
    warnings: missing > 0 ? [`${missing} sampled reads found nothing`] : undefined,
  };
}

export const SUSTAINED_SPEC: WorkloadSpec<'sustained'> = {
  name: 'sustained',
  group: 'sustained',
  kind: 'write',
  describe: (s: Sizes) =>
    `${s.sustainedNum} puts, a shuffled permutation, batches of ${SUSTAINED_BATCH}, then wait until idle; ` +
    `every ${SAMPLE_EVERY} batches ${SAMPLE_GETS} point reads of random written keys, ${SAMPLE_GETS} every ${SETTLE_SAMPLE_MS} ms ` +
    `while a compaction runs after the writes, and as many as during the writes when idle`,
  run,
};
