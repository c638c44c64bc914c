// seek + 10 entries on the tree `scripts/getsync-probe.mjs build DIR` writes (docs/performance.md, the seek A/B
// figures): three rounds of 100k iterators at random keys, printing CPU µs per seek (process.cpuUsage) and
// seeks per second. The first round warms up.
// Usage: npm run -s build && node scripts/seek-probe.mjs DIR
import { GraniteDB } from '../dist/src/index.js';
import { KeySpace } from '../dist/src/bench/data.js';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: node scripts/seek-probe.mjs DIR');
  process.exit(2);
}
const N = 1_000_000;
const S = 100_000;
const keys = new KeySpace();
const db = await GraniteDB.open(dir);
for (let round = 0; round < 3; round++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let entries = 0;
  for (let j = 0; j < S; j++) {
    const k = keys.key((Math.imul(j + round * S, 2654435761) >>> 0) % N);
    for (const _entry of db.iterator({ gte: k, limit: 10 })) entries++;
  }
  const c = process.cpuUsage(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `seek+10: cpu ${((c.user + c.system) / S).toFixed(2)} µs/op, ${(S / seconds / 1000).toFixed(1)}k/s, ` +
      `${entries} entries`,
  );
}
await db.close();
