// fillseq/fillrandom probe: 1M 16-byte keys, 100-byte values, batches of 1000 via the public API; prints
// wall rate and process CPU. Usage: node scripts/fill-probe.mjs ROOT [seq|rand]  (ROOT: a built checkout)
// REUSE_BATCH=1: one WriteBatch, cleared before each write, instead of a new one per write (ADR 0025).
const root = process.argv[2];
const mode = process.argv[3] ?? 'seq';
const { GraniteDB, WriteBatch } = await import(root + '/dist/src/index.js');
import { rmSync } from 'node:fs';
const dir = (process.env.TMPDIR ?? '/tmp') + '/fill-probe-' + process.pid;
rmSync(dir, { recursive: true, force: true });
const db = await GraniteDB.open(dir, JSON.parse(process.env.GRANITE_OPTIONS ?? '{}'));
const N = 1_000_000;
const val = Buffer.alloc(100, 7);
const keys = [];
const order = new Uint32Array(N);
for (let i = 0; i < N; i++) order[i] = i;
if (mode === 'rand')
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
for (let i = 0; i < N; i++) keys.push(Buffer.from('key' + String(order[i]).padStart(13, '0')));
const c0 = process.cpuUsage();
const t0 = performance.now();
const reused = process.env.REUSE_BATCH === '1' ? new WriteBatch() : undefined;
for (let i = 0; i < N; i += 1000) {
  const b = reused?.clear() ?? new WriteBatch();
  for (let j = i; j < i + 1000; j++) b.put(keys[j], val);
  await db.write(b);
}
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
await db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `${mode} ${root}: ${(((N / (t1 - t0)) * 1000) / 1000).toFixed(0)}k/s wall ${(t1 - t0).toFixed(0)} ms cpu user ${(c1.user / 1000).toFixed(0)} sys ${(c1.system / 1000).toFixed(0)} ms`,
);
