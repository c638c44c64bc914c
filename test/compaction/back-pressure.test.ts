// L0 back-pressure (design.md "Flush and compaction"): with level0SlowdownTrigger / level0StopTrigger set
// just above the compaction trigger and compaction made slow (4 KiB memtables flushing constantly, one
// background thread, an L1 that only grows so each L0->L1 compaction rewrites all of it), writers are slowed
// and stopped (stats counters slowdowns / stopStalls / stallMillis), and every write still succeeds with its
// value. Counts only, never timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { GraniteDB, type Options } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import { compactionOptions, makeTempDir, orphanProblems, removeDir } from '../../src/testing/index.js';

const WRITES = 2400;
const CONCURRENCY = 64;
const key = (i: number): string => `key${String((i * 7919) % WRITES).padStart(6, '0')}`;
const value = (i: number): string => `value-${i}-`.padEnd(180, String.fromCharCode(97 + (i % 26)));

const CASES: { name: string; style: 'leveled' | 'tiered'; onDisk: boolean; stop: number }[] = [
  { name: 'leveled, worker thread', style: 'leveled', onDisk: true, stop: 4 },
  { name: 'tiered, worker thread', style: 'tiered', onDisk: true, stop: 4 },
  // In-process runs are deterministic (no threads, no real I/O): the counts below are the same every run.
  { name: 'leveled, in-process (MemoryFileSystem)', style: 'leveled', onDisk: false, stop: 4 },
  { name: 'tiered, in-process, stop trigger = slowdown trigger', style: 'tiered', onDisk: false, stop: 3 },
];

for (const c of CASES) {
  test(
    `L0 slowdown and stop triggers stall writers while compaction lags, and every write lands (${c.name})`,
    { timeout: 120_000 },
    async () => {
      const dir = c.onDisk ? makeTempDir('granite-backpressure-') : '/db';
      const fs = c.onDisk ? undefined : new MemoryFileSystem();
      const list = (): string[] => (fs === undefined ? readdirSync(dir) : fs.list(dir));
      const options: Partial<Options> = compactionOptions(c.style, {
        level0CompactionTrigger: 2,
        level0SlowdownTrigger: 3,
        level0StopTrigger: c.stop,
        maxBytesForLevelBase: 1 << 30, // L1 never overflows: every L0->L1 compaction rewrites all of it
        targetFileSize: 1 << 20,
        backgroundThreads: 1,
        ...(fs === undefined ? {} : { fileSystem: fs }),
      });
      let db = await GraniteDB.open(dir, options);
      try {
        for (let i = 0; i < WRITES; i += CONCURRENCY) {
          const batch: Promise<void>[] = [];
          for (let j = i; j < Math.min(i + CONCURRENCY, WRITES); j++) batch.push(db.put(key(j), value(j)));
          await Promise.all(batch); // every write succeeds: a rejection fails the test here
        }
        const s = db.stats().counters;
        const summary = `slowdowns ${s.slowdowns}, stopStalls ${s.stopStalls}, stalls ${s.stalls}, flushes ${s.flushes}, compactions ${s.compactions}`;
        console.log(`back-pressure (${c.name}): ${summary}`);
        assert.ok(s.flushes > 20 && s.compactions > 0, summary);
        assert.ok(s.slowdowns + s.stopStalls > 0, `L0 stalls: ${summary}`);
        assert.ok(s.stallMillis > 0, `stallMillis: ${summary}`);
        await db.waitForCompaction();
        assert.ok(db.stats().levels[0]!.files < 4, 'compaction caught up');
        for (let i = 0; i < WRITES; i++) assert.equal((await db.get(key(i)))?.toString(), value(i), key(i));
        // The reads may have started a seek compaction, whose outputs are on disk before its install: the
        // orphan check needs the engine idle.
        await db.waitForCompaction();
        assert.deepEqual(orphanProblems(list(), db.stats()), []);
        await db.close();
        db = await GraniteDB.open(dir, options);
        assert.equal([...db.iterator({ values: false })].length, WRITES);
      } finally {
        await db.close();
        if (c.onDisk) removeDir(dir);
      }
    },
  );
}
