// Random getSync on a 1M-key tree after fillrandom + overwrite (docs/performance.md, the A/B figures of the read
// path): `build DIR` writes the tree and waits for compaction; `read DIR` opens it and runs two rounds of 1M
// random getSync, printing CPU µs per get (process.cpuUsage: steadier than wall time on a shared machine), gets
// per second, cache hit rate and tables probed per get.
// Usage: npm run -s build && node scripts/getsync-probe.mjs build /tmp/rrdb && node scripts/getsync-probe.mjs read /tmp/rrdb
// GRANITE_OPTIONS='{"blockSize":2048}' opens with other options (build and read).
import { rmSync } from 'node:fs';
import { GraniteDB, WriteBatch } from '../dist/src/index.js';
import { KeySpace, ValueSource, permutation } from '../dist/src/bench/data.js';

const N = 1_000_000;
const [mode, dir] = process.argv.slice(2);
if ((mode !== 'build' && mode !== 'read') || dir === undefined) {
  console.error('usage: node scripts/getsync-probe.mjs build|read DIR');
  process.exit(2);
}
const keys = new KeySpace();
if (mode === 'build') {
  rmSync(dir, { recursive: true, force: true });
  const db = await GraniteDB.open(dir, JSON.parse(process.env.GRANITE_OPTIONS ?? '{}'));
  const values = new ValueSource(100, 1);
  for (const [gen, seed] of [
    [0, 1],
    [1, 2],
  ]) {
    const p = permutation(N, seed);
    for (let i = 0; i < N; i += 1000) {
      const b = new WriteBatch();
      for (let j = i; j < i + 1000; j++) b.put(keys.key(p[j]), values.value(p[j], gen));
      await db.write(b);
    }
  }
  await db.waitForCompaction();
  console.log(JSON.stringify(db.stats().levels.filter((l) => l.files > 0)));
  await db.close();
} else {
  const db = await GraniteDB.open(dir, JSON.parse(process.env.GRANITE_OPTIONS ?? '{}'));
  for (let round = 0; round < 2; round++) {
    const p = permutation(N, 3 + round);
    const t = performance.now();
    const c0 = process.cpuUsage();
    let found = 0;
    for (let i = 0; i < N; i++) if (db.getSync(keys.key(p[i])) !== undefined) found++;
    const cpu = process.cpuUsage(c0);
    const c = db.stats().counters;
    console.log(
      `cpu/op ${((cpu.user + cpu.system) / N).toFixed(2)} µs, ${Math.round(N / ((performance.now() - t) / 1000))} gets/s, ` +
        `found ${found}, cache hits ${(c.cacheHits / (c.cacheHits + c.cacheMisses)).toFixed(2)}, ` +
        `tables probed/get ${(c.tablesProbed / c.gets).toFixed(2)}`,
    );
  }
  await db.close();
}
