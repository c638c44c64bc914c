// Attributes slow getSync calls (> SLOW_MS ms, default 2) during a sustained random fill: an install of a finished compaction
// inside the read (tree shape changed), a table open (tableOpens grew), GC (a gc entry overlapped), or other;
// for "other" it prints the number and total time of the table-file reads (pread) inside the call, and how the
// main thread spent the call by /proc/thread-self/schedstat: ms on the CPU, and ms runnable but waiting for a
// CPU (another thread of this machine had it). Time in neither (dt - run - wait) was spent blocked, or lost to
// the hypervisor, which the guest counts as running.
// It also prints every sampled read by latency band (count, table-file reads per get, their µs per get, tables
// probed per get) and the latency of the 4 KiB block reads made inside gets (p50/p90/p99).
// Usage: npm run -s build && node scripts/slow-reads.mjs [keys, default 5000000]  (docs/performance.md). GRANITE_OPTIONS='{...}' opens with other options.
import { GraniteDB, WriteBatch } from '../dist/src/index.js';
import { keyOf, recordGcs, schedstat, seededRandom, shuffled } from './lib/random-fill.mjs';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { NodeFileSystem } from '../dist/src/fs/node-fs.js';
// Time every RandomAccessFile.read (the class is not exported: reach its prototype through an instance).
const reads = { n: 0, ms: 0 };
/** Set around each sampled getSync: block reads (< 8 KiB) made inside one are timed one by one. */
let inGet = false;
const blockReadUs = [];
{
  const probe = mkdtempSync('/tmp/slow-probe-');
  writeFileSync(`${probe}/f`, 'x');
  const file = new NodeFileSystem().openRead(`${probe}/f`);
  const proto = Object.getPrototypeOf(file);
  const read = proto.read;
  proto.read = function (...args) {
    const t = performance.now();
    try {
      return read.apply(this, args);
    } finally {
      const ms = performance.now() - t;
      reads.n++;
      reads.ms += ms;
      if (inGet && args[2] < 8192) blockReadUs.push(ms * 1000);
    }
  };
  file.close();
  rmSync(probe, { recursive: true, force: true });
}
const N = Number(process.argv[2] ?? 5_000_000);
/** Reads slower than this many ms are attributed one by one (SLOW_MS, default 2). */
const SLOW_MS = Number(process.env.SLOW_MS ?? 2);
const dir = mkdtempSync('/tmp/slow-');
const db = await GraniteDB.open(dir, JSON.parse(process.env.GRANITE_OPTIONS ?? '{}'));
const gcs = recordGcs();
const rnd = seededRandom();
const order = shuffled(N, rnd);
const val = Buffer.alloc(100, 'v');
const slow = [];
let samples = 0;
const shape = () => JSON.stringify(db.stats().levels);
const bands = [20, 50, 100, 200, 500, 2000, Infinity].map((limit) => ({
  limit,
  n: 0,
  reads: 0,
  readMs: 0,
  probed: 0,
}));
for (let b = 0, n = 0; n < N; b++) {
  const batch = new WriteBatch();
  for (let j = 0; j < 1000 && n < N; j++, n++) batch.put(keyOf(order[n]), val);
  await db.write(batch);
  if (b % 10 === 9) {
    for (let r = 0; r < 20; r++) {
      const k = keyOf(order[Math.floor(rnd() * n)]);
      const s0 = shape();
      const c0 = db.stats().counters;
      const o0 = c0.tableOpens;
      reads.n = 0;
      reads.ms = 0;
      const q0 = schedstat();
      const t0 = performance.now();
      inGet = true;
      db.getSync(k);
      inGet = false;
      const dt = performance.now() - t0;
      const q1 = schedstat();
      samples++;
      const band = bands.find((x) => dt * 1000 < x.limit);
      band.n++;
      band.reads += reads.n;
      band.readMs += reads.ms;
      band.probed += db.stats().counters.tablesProbed - c0.tablesProbed;
      if (dt > SLOW_MS)
        slow.push({
          reads: `${reads.n} reads ${reads.ms.toFixed(2)} ms, on CPU ${((q1[0] - q0[0]) / 1e6).toFixed(2)}, runnable ${((q1[1] - q0[1]) / 1e6).toFixed(2)}`,
          t0,
          dt,
          install: shape() !== s0,
          opens: db.stats().counters.tableOpens - o0,
        });
    }
  }
}
await new Promise((r) => setTimeout(r, 100));
for (const s of slow)
  s.gc = gcs
    .filter(([st, d]) => st < s.t0 + s.dt && st + d > s.t0)
    .map(([, d, k]) => `${k}:${d.toFixed(1)}`)
    .join(',');
const cls = (s) => (s.install ? 'install' : s.opens > 0 ? 'table-open' : s.gc ? 'gc' : 'other');
const by = {};
for (const s of slow) {
  const c = cls(s);
  (by[c] ??= []).push(s.dt);
}
console.log(`samples ${samples}, slow(>${SLOW_MS} ms) ${slow.length}`);
for (const b of bands.filter((x) => x.n > 0))
  console.log(
    `  < ${b.limit} µs: ${b.n} reads, per get ${(b.reads / b.n).toFixed(2)} file reads taking ` +
      `${((b.readMs * 1000) / b.n).toFixed(1)} µs, ${(b.probed / b.n).toFixed(2)} tables probed`,
  );
blockReadUs.sort((a, b) => a - b);
const q = (f) =>
  blockReadUs[Math.min(blockReadUs.length - 1, Math.floor(blockReadUs.length * f))]?.toFixed(1);
console.log(`block reads inside gets: ${blockReadUs.length}, p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} µs`);
for (const [c, v] of Object.entries(by)) {
  v.sort((a, b) => a - b);
  console.log(c, v.length, 'median', v[v.length >> 1].toFixed(1), 'max', v.at(-1).toFixed(1));
}
console.log(
  slow
    .filter((s) => cls(s) === 'other')
    .slice(0, 10)
    .map((s) => `${s.dt.toFixed(1)} (${s.reads})`)
    .join(' '),
);
// GC kinds (perf_hooks constants: 1 minor/scavenge, 2 major/mark-compact, 4 incremental, 8 weakcb) and ms.
console.log(
  slow
    .filter((s) => cls(s) === 'gc')
    .map((s) => `${s.dt.toFixed(1)} (gc ${s.gc})`)
    .join(' '),
);
await db.close();
rmSync(dir, { recursive: true, force: true });
