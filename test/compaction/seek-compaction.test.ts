// Seek compaction (LevelDB's allowed_seeks; version.ts, picker.ts): a point read that probes a second table
// charges the first one; a table charged max(100, size / 16 KiB) times is compacted into the next level even
// though no level is over its size target. Here L0 never reaches its trigger, so only reads can compact it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const key = (i: number): string => `k${String(i).padStart(6, '0')}`;

/** Two overlapping L0 tables: the older holds the even keys, the newer the odd ones, over the same range. */
async function twoL0Tables(db: GraniteDB): Promise<void> {
  for (const parity of [0, 1]) {
    const b = new WriteBatch();
    for (let i = parity; i < 2000; i += 2) b.put(key(i), `v${i}`);
    await db.write(b);
    await db.flush();
  }
  assert.deepEqual(
    db.stats().levels.map((l) => l.files),
    [2, 0, 0, 0, 0, 0, 0],
  );
}

for (const backgroundThreads of [0, 1]) {
  test(`reads that keep passing through an L0 table compact L0 into L1 (backgroundThreads ${backgroundThreads})`, async () => {
    const dir = makeTempDir('granite-seek-compaction-');
    const db = await GraniteDB.open(dir, { backgroundThreads, level0CompactionTrigger: 10 });
    try {
      await twoL0Tables(db);
      // Even keys live in the older table: each get probes the newer one first (its range covers the key,
      // its bloom filter says no) and is charged to it (key 0 is below its range: one probe, no charge).
      // 99 charges leave it one short of its allowance.
      for (let i = 0; i <= 198; i += 2) assert.equal(db.getSync(key(i))?.toString(), `v${i}`);
      await db.waitForCompaction();
      assert.equal(db.stats().counters.seekCompactions, 0);
      assert.equal(db.stats().levels[0]!.files, 2);
      // Odd keys are found in the first table probed: no charge.
      for (let i = 1; i < 2000; i += 2) assert.equal(db.getSync(key(i))?.toString(), `v${i}`);
      await db.waitForCompaction();
      assert.equal(db.stats().counters.seekCompactions, 0);
      // The 100th charge makes the newer table the seek candidate.
      assert.equal(db.getSync(key(200))?.toString(), 'v200');
      await db.waitForCompaction();
      const s = db.stats();
      assert.equal(s.counters.seekCompactions, 1);
      assert.equal(s.levels[0]!.files, 0);
      assert.ok(s.levels[1]!.files > 0);
      for (let i = 0; i < 2000; i++) assert.equal(db.getSync(key(i))?.toString(), `v${i}`, key(i));
    } finally {
      await db.close();
      removeDir(dir);
    }
  });
}

/** Opens with `options`, makes two L0 tables, reads `rounds` times every `step`-th key from `from`, and checks
 *  that no seek compaction ran. */
async function expectNoSeekCompaction(options: object, from: number, rounds: number): Promise<void> {
  const dir = makeTempDir('granite-seek-compaction-');
  const db = await GraniteDB.open(dir, { backgroundThreads: 0, level0CompactionTrigger: 10, ...options });
  try {
    await twoL0Tables(db);
    for (let round = 0; round < rounds; round++)
      for (let i = from; i < 2000; i += 2) assert.equal(db.getSync(key(i))?.toString(), `v${i}`);
    await db.waitForCompaction();
    assert.equal(db.stats().counters.seekCompactions, 0);
    assert.equal(db.stats().levels[0]!.files, 2);
  } finally {
    await db.close();
    removeDir(dir);
  }
}

test('a read that finds its key in the first table probed charges nothing', async () => {
  // Odd keys live in the newer table, probed first: 5 x 1000 reads, no charge.
  await expectNoSeekCompaction({}, 1, 5);
});

test('seekCompaction: false leaves a table charged past its allowance where it is', async () => {
  // Even keys from 2 pass through the newer table: 3 x 999 charges, ten times its allowance.
  await expectNoSeekCompaction({ seekCompaction: false }, 2, 3);
});
