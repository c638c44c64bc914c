// Peak RSS of the benchmark harness itself (docs/performance.md "Peak RSS"): runs the db_bench rows in this
// process, as a bench child does, against an engine that stores nothing but the sample the fills verify and
// answers every read from one buffer. What it prints is the part of every engine's "peak RSS per child" that
// the harness (key space, latency samples, promises, Node itself) accounts for.
// Usage: npm run -s build && node scripts/harness-floor.mjs [workloads, default the core rows]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { runPhases } from '../dist/src/bench/phases.js';
import { HdrRecorder } from '../dist/bench/latency.js'; // the bench child's recorder (bench/worker.ts)

const NUM = 1_000_000;
const VERIFY_STEP = 1000; // db-bench.ts reads back every (count / VERIFY_SAMPLE)-th key of a fill's order
const workloads = (
  process.argv[2] ?? 'fillseq,fillrandom,overwrite,readrandom,readrandomsync,readmissing,seekrandom,readseq'
).split(',');
const any = Buffer.alloc(100);
const kept = new Map();
let position = 0;
const read = (k) => kept.get(k.toString('latin1')) ?? any;
const open = async (dir) => {
  mkdirSync(dir, { recursive: true });
  return {
    name: 'null',
    version: '0',
    notes: [],
    async writeBatch(ks, vs) {
      for (let i = 0; i < ks.length; i++, position++)
        if ((position % NUM) % VERIFY_STEP === 0) kept.set(ks[i].toString('latin1'), Buffer.from(vs[i]));
    },
    async put() {},
    async get(k) {
      return read(k);
    },
    getSync: read,
    async seek() {
      return 10;
    },
    seekSync: () => 10,
    async scan() {
      return { entries: NUM, bytes: NUM * 116 };
    },
    async close() {},
  };
};
const dir = mkdtempSync('/tmp/granite-floor-');
await runPhases({
  open,
  dir,
  sizes: { num: NUM, records: 200_000, operations: 200_000, clients: 16 },
  seed: 1,
  workloads,
  recorder: () => new HdrRecorder(),
  onResult(r) {
    console.log(`${r.workload}: peak RSS so far ${Math.round(r.peakRss / 1048576)} MiB`);
  },
});
rmSync(dir, { recursive: true, force: true });
