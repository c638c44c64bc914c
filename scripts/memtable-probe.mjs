// Memtable build + sort cost (docs/performance.md, the memtable A/B figures): encodes 1M db_bench puts (16-byte
// keys, 100-byte values) in batches of 1000, in key order (`seq`) or a fixed random order (`rand`), adds them to
// 32 MiB memtables as the engine does (each batch copied, a new memtable sized like the last one, every full
// memtable sorted once as a flush would), and prints the best of 7 rounds in ns per entry.
// Usage: npm run -s build && node scripts/memtable-probe.mjs [seq|rand] [ROOT]   (ROOT: a checkout with dist/,
// default this one; pass a second build to compare)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const mode = process.argv[2] ?? 'seq';
const root = pathToFileURL(resolve(process.argv[3] ?? new URL('..', import.meta.url).pathname)).href;
const { WriteBatch } = await import(`${root}/dist/src/index.js`);
const { Memtable } = await import(`${root}/dist/src/memtable/memtable.js`);
const { KeySpace, ValueSource, permutation } = await import(`${root}/dist/src/bench/data.js`);

const N = 1_000_000;
const keys = new KeySpace();
const values = new ValueSource(100, 1);
const order = mode === 'seq' ? null : permutation(N, 7);
const reps = [];
for (let i = 0; i < N; i += 1000) {
  const b = new WriteBatch();
  for (let j = i; j < i + 1000; j++) {
    const k = order ? order[j] : j;
    b.put(keys.key(k), values.value(k, 0));
  }
  reps.push(b.encodeCopy());
}
let best = Infinity;
for (let r = 0; r < 7; r++) {
  const t0 = process.hrtime.bigint();
  let mem = new Memtable(1);
  let seq = 1;
  for (const rep of reps) {
    mem.addBatch(Buffer.from(rep), rep.length, seq);
    seq += 1000;
    if (mem.approximateBytes >= 32 * 1048576) {
      if (mem.sortedKeyIds) mem.sortedKeyIds();
      else mem.sortedKeys(); // builds before the typed-array memtable
      mem = new Memtable(1, mem.keyCount);
    }
  }
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
}
console.log(`${mode}: best of 7, ${best.toFixed(0)} ns per entry (build + sort)`);
