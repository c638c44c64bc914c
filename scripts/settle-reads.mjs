// The read tail while compactions run with no writes beside them (docs/performance.md, "The read tail while
// compactions run"): fills N random keys in batches of 1000 without reading, then, while the engine works off
// the compactions left (until waitForCompaction resolves), every 5 ms a round of 20 getSync of random written
// keys when stats().compacting; then as many idle rounds, after as many untimed ones. Prints p50/p99/p99.9 of
// both sets and the settle time, and for each read over SLOW_US µs while compacting: its time, the main
// thread's time on the CPU and waiting for one by /proc/thread-self/schedstat (coarse: the kernel updates it
// at context switches and ticks), and a GC that overlapped it.
// Usage: npm run -s build && node scripts/settle-reads.mjs [keys, default 5000000]
//   GRANITE_OPTIONS='{"backgroundThreads":0}'  opens with other options.
//   SLOW_US=150                                 the threshold of the per-read lines (default 150).
//   NICE_ALL=19                                 sets every other thread of the process to that niceness
//                                               (setpriority per thread id, again every 200 ms for new ones).
//   PERF_OUT=/tmp/sched.data                    runs `perf sched record -a` for 3 s from the start of the settle
//                                               phase (then: perf sched timehist -i /tmp/sched.data).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { GraniteDB, WriteBatch } from '../dist/src/index.js';
import { keyOf, recordGcs, schedstat, seededRandom, shuffled } from './lib/random-fill.mjs';

const N = Number(process.argv[2] ?? 5_000_000);
const SLOW_US = Number(process.env.SLOW_US ?? 150);
const ROUND = 20;
const PAUSE_MS = 5;

if (process.env.NICE_ALL) {
  const renice = () => {
    for (const t of readdirSync('/proc/self/task')) {
      if (Number(t) === process.pid) continue;
      try {
        setPriority(Number(t), Number(process.env.NICE_ALL));
      } catch {
        // the thread has exited
      }
    }
  };
  renice();
  setInterval(renice, 200).unref();
}

const dir = mkdtempSync('/tmp/settle-reads-');
const db = await GraniteDB.open(dir, JSON.parse(process.env.GRANITE_OPTIONS ?? '{}'));
const gcs = recordGcs();
const rnd = seededRandom();
const order = shuffled(N, rnd);
const val = Buffer.alloc(100, 'v');
for (let n = 0; n < N;) {
  const batch = new WriteBatch();
  for (let j = 0; j < 1000 && n < N; j++, n++) batch.put(keyOf(order[n]), val);
  await db.write(batch);
}

if (process.env.PERF_OUT) {
  spawn('perf', ['sched', 'record', '-a', '-o', process.env.PERF_OUT, '--', 'sleep', '3'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 300));
  console.log(`main thread id ${process.pid}`);
}

const slow = [];
/** A round of ROUND reads of random written keys; µs into `into`, slow ones into `slow`. */
const round = (into) => {
  for (let r = 0; r < ROUND; r++) {
    const k = keyOf(Math.floor(rnd() * N));
    const s0 = schedstat();
    const t = performance.now();
    if (db.getSync(k) === undefined) throw new Error(`key ${k} not found`);
    const us = (performance.now() - t) * 1000;
    const s1 = schedstat();
    into.push(us);
    if (us > SLOW_US) slow.push({ at: t, us, run: (s1[0] - s0[0]) / 1000, wait: (s1[1] - s0[1]) / 1000 });
  }
};

const compacting = [];
let settled = false;
const idle = db.waitForCompaction().then(() => (settled = true));
const t0 = performance.now();
while (!settled) {
  if (db.stats().compacting) round(compacting);
  await new Promise((r) => setTimeout(r, PAUSE_MS));
}
await idle;
const settleSeconds = (performance.now() - t0) / 1000;
const slowCompacting = slow.splice(0);
const rounds = Math.max(1, compacting.length / ROUND);
for (let k = 0; k < rounds; k++) {
  round([]);
  await new Promise((r) => setImmediate(r));
}
slow.length = 0;
const idleReads = [];
for (let k = 0; k < rounds; k++) {
  round(idleReads);
  await new Promise((r) => setImmediate(r));
}

const q = (a, p) => {
  if (a.length === 0) return '–';
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
};
const pcts = (a) => `p50 ${q(a, 0.5)} p99 ${q(a, 0.99)} p99.9 ${q(a, 0.999)} µs`;
for (const s of slowCompacting) {
  const g = gcs.find(([st, d]) => st < s.at + s.us / 1000 && st + d > s.at);
  console.log(
    `  ${s.us.toFixed(0)} µs: on CPU ${s.run.toFixed(0)}, waiting ${s.wait.toFixed(0)}` +
      (g ? `, gc kind ${g[2]} ${(g[1] * 1000).toFixed(0)} µs` : ''),
  );
}
console.log(`settle ${settleSeconds.toFixed(1)} s`);
console.log(`while compacting: ${compacting.length} reads, ${pcts(compacting)}`);
console.log(`idle:             ${idleReads.length} reads, ${pcts(idleReads)}`);
console.log(`reads over ${SLOW_US} µs: ${slowCompacting.length} while compacting, ${slow.length} idle`);
await db.close();
rmSync(dir, { recursive: true, force: true });
