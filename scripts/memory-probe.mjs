// Peak memory through the benchmark rows (docs/performance.md "Peak RSS"): runs the selected db_bench
// workloads in this process as the bench child does, samples process.memoryUsage() every 50 ms, and prints
// after each workload the rate, the memory now and at the largest sampled RSS, and the memtables and cache.
// Usage: npm run -s build && node --expose-gc scripts/memory-probe.mjs [workloads, default the main phase]
//        GRANITE_OPTIONS='{"maxImmutableMemtables":1}' ... to open with other options.
//        TIMELINE=200 ... also prints, every 200 ms, RSS by mapping and the engine's memtables, cache, pooled
//        write buffers, compaction state and live workers (where the peak is, ADR 0018). After each workload:
//        its cache hit rate and tables probed per get, and the cache memory borrowed from the pools (ADR 0019).
//        ALLOCATE_AT=readrandom ALLOCATE_MIB=40 ... after that workload, allocates and fills that many 1 MiB
//        buffers and prints the RSS they added (how much freed memory the allocator reuses).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { GraniteDB } from '../dist/src/index.js';
import { batchBuffers, entryArrays, writeBuffers } from '../dist/src/util/buffer-pool.js';
import { scratchBytes } from '../dist/src/util/scratch.js';
import { runPhases } from '../dist/src/bench/phases.js';
import { openGranite } from '../dist/src/bench/granite-engine.js';
import { HdrRecorder } from '../dist/bench/latency.js'; // the bench child's recorder (bench/worker.ts)

const extra = JSON.parse(process.env.GRANITE_OPTIONS ?? '{}');
const open = GraniteDB.open;
let db;
GraniteDB.open = async (dir, o) => (db = await open.call(GraniteDB, dir, { ...o, ...extra }));

const workloads = (process.argv[2] ?? 'fillrandom,overwrite,readrandom,readrandomsync').split(',');
const dir = mkdtempSync('/tmp/granite-memory-');
const mb = (x) => (x / 1048576).toFixed(0);
const fmt = (m) =>
  `rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} MiB`;
/** Resident MiB by mapping (smaps): the main malloc heap, anonymous maps (V8 heaps, other threads' arenas, large
 *  allocations), the node binary, other files. */
const smaps = () => {
  const rss = new Map();
  let kind = '';
  for (const line of readFileSync('/proc/self/smaps', 'latin1').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head !== null) {
      const name = head[1];
      kind =
        name === ''
          ? 'anon'
          : name === '[heap]'
            ? 'heap'
            : name.startsWith('/')
              ? name === process.execPath
                ? 'node'
                : 'files'
              : 'other';
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r !== null) rss.set(kind, (rss.get(kind) ?? 0) + Number(r[1]) * 1024);
  }
  return ['heap', 'anon', 'node', 'files', 'other'].map((k) => `${k} ${mb(rss.get(k) ?? 0)}`).join(', ');
};
let peak = process.memoryUsage();
const sample = () => {
  const m = process.memoryUsage();
  if (m.rss > peak.rss) peak = m;
};
const timer = setInterval(sample, 50);
const t0 = Date.now();
const timeline = () => {
  if (db === undefined || db.closed) return;
  const s = db.stats();
  console.log(
    `t=${Date.now() - t0} ms rss ${mb(process.memoryUsage().rss)} MiB (${smaps()}) | memtable ${mb(s.memtableBytes)}, ` +
      `${s.immutableMemtables} immutable, cache ${mb(s.counters.cacheBytes)} (${mb(s.counters.cacheBorrowedBytes)} ` +
      `borrowed), pooled ${mb(writeBuffers.bytes)} MiB, ` +
      `compacting ${s.compacting}, workers ${s.workers.flush}+${s.workers.compaction}, ` +
      `files per level ${s.levels.map((l) => l.files).join('/')}`,
  );
};
const timelineTimer =
  process.env.TIMELINE === undefined ? undefined : setInterval(timeline, Number(process.env.TIMELINE));
const held = []; // ALLOCATE_MIB buffers, kept to the end
let last = {}; // counters at the end of the previous workload
await runPhases({
  open: (d, o) => openGranite(d, o, 'probe'),
  dir,
  sizes: { num: 1_000_000, records: 200_000, operations: 200_000, clients: 16 },
  seed: 1,
  workloads,
  recorder: () => new HdrRecorder(),
  onResult(r) {
    sample();
    const s = db.stats();
    console.log(`${r.workload} ${Math.round(r.opsPerSec / 1000)}k ops/s`);
    console.log(`  now:  ${fmt(process.memoryUsage())}`);
    console.log(`  peak: ${fmt(peak)}`);
    console.log(`  resident now by mapping (MiB): ${smaps()}`);
    const c = s.counters;
    const d = (k) => c[k] - (last[k] ?? 0);
    console.log(
      `  memtable ${mb(s.memtableBytes)} MiB, ${s.immutableMemtables} immutable (${mb(s.immutableBytes)} MiB), ` +
        `block cache ${mb(c.cacheBytes)} MiB (${mb(c.cacheBorrowedBytes)} borrowed, ADR 0019), ` +
        `this workload: cache hit rate ${(d('cacheHits') / (d('cacheHits') + d('cacheMisses') || 1)).toFixed(2)}, ` +
        `tables probed per get ${(d('tablesProbed') / (d('gets') || 1)).toFixed(2)}`,
    );
    console.log(
      `  idle in this thread: write buffers ${mb(writeBuffers.bytes)} MiB, batch buffers ${mb(batchBuffers.bytes)} MiB, entry arrays ${mb(entryArrays.bytes)} MiB, ` +
        `scratch ${mb(scratchBytes())} MiB`,
    );
    last = { ...c };
    if (r.workload === process.env.ALLOCATE_AT) {
      const before = process.memoryUsage().rss;
      for (let i = 0; i < Number(process.env.ALLOCATE_MIB ?? 40); i++)
        held.push(Buffer.allocUnsafeSlow(1 << 20).fill(i));
      console.log(
        `  ${held.length} x 1 MiB allocated: rss ${mb(before)} -> ${mb(process.memoryUsage().rss)} MiB`,
      );
    }
  },
});
clearInterval(timer);
if (timelineTimer !== undefined) clearInterval(timelineTimer);
rmSync(dir, { recursive: true, force: true });
