// Peak memory through the benchmark rows (docs/performance.md "Peak RSS"): runs the selected db_bench
// workloads in this process as the bench child does, samples process.memoryUsage() every 50 ms, and prints
// after each workload the rate, the memory now and at the largest sampled RSS, and the memtables and cache.
// Usage: npm run -s build && node --expose-gc scripts/memory-probe.mjs [workloads, default the main phase]
//        GRANITE_OPTIONS='{"maxImmutableMemtables":1}' ... to open with other options.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { GraniteDB } from '../dist/src/index.js';
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
    console.log(
      `  memtable ${mb(s.memtableBytes)} MiB, ${s.immutableMemtables} immutable (${mb(s.immutableBytes)} MiB), ` +
        `block cache ${mb(s.counters.cacheBytes)} MiB`,
    );
  },
});
clearInterval(timer);
rmSync(dir, { recursive: true, force: true });
