// Random fill through the public API (16-byte keys, 100-byte values, batches of 1000, no reads), printing the
// rate and the write-stall counters: how much of a long fill waits on the L0 slowdown and stop triggers
// (ADR 0018: the triggers count files, so smaller memtables reach them with fewer bytes in L0).
// Usage: npm run -s build && node scripts/l0-stall-probe.mjs [keys, default 10000000]
//        GRANITE_OPTIONS='{"memtableSize":33554432}' ... to open with other options.
import { rmSync } from 'node:fs';
import { GraniteDB, WriteBatch } from '../dist/src/index.js';

const dir = `${process.env.TMPDIR ?? '/tmp'}/l0-stall-probe-${process.pid}`;
rmSync(dir, { recursive: true, force: true });
const db = await GraniteDB.open(dir, JSON.parse(process.env.GRANITE_OPTIONS ?? '{}'));
const n = Number(process.argv[2] ?? 10_000_000);
const value = Buffer.alloc(100, 7);
let x = 12345; // xorshift32: the same key order every run
const nextKey = () => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return 'key' + String((x >>> 0) % n).padStart(13, '0');
};
const batch = new WriteBatch();
const t0 = performance.now();
for (let i = 0; i < n; i += 1000) {
  batch.clear();
  for (let j = 0; j < 1000; j++) batch.put(nextKey(), value);
  await db.write(batch);
}
const seconds = (performance.now() - t0) / 1000;
const s = db.stats();
const c = s.counters;
console.log(
  `${Math.round(n / seconds / 1000)}k keys/s; flushes ${c.flushes}, compactions ${c.compactions}; ` +
    `L0 slowdowns ${c.slowdowns}, stalls ${c.stalls} (${Math.round(c.stallMillis)} ms waiting); ` +
    `write amplification ${s.writeAmplification.toFixed(2)}; files per level ${s.levels.map((l) => l.files).join('/')}`,
);
await db.close();
rmSync(dir, { recursive: true, force: true });
