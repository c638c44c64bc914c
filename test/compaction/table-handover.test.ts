// Flushed tables and compaction outputs reach the table cache with the index and filter their writer parsed
// (ADR 0014, ADR 0017): a worker transfers them with its result, an in-process flush or compaction passes them
// as they are. Reads through such tables return what was written, and a reopen reads the same tables from disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const N = 3000;
const key = (i: number): string => `key${String(i).padStart(6, '0')}`;
const value = (i: number, round: number): string => `value-${round}-${i}-`.padEnd(120, 'x');
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

for (const backgroundThreads of [1, 0]) {
  test(`flushed tables and compaction outputs open with the writer's index and filter (backgroundThreads ${backgroundThreads})`, async () => {
    const dir = makeTempDir('granite-handover-');
    const options = { backgroundThreads, blockSize: 512, seekCompaction: false };
    let db = await GraniteDB.open(dir, options);
    try {
      for (let round = 0; round < 2; round++) {
        for (let i = round; i < N; i += 1 + round) await db.put(key(i), value(i, round));
        await db.flush();
        await turns(5); // the tables installed are opened one per event-loop turn
        assert.equal(db.stats().counters.tableHandovers, round + 1, 'every flushed table adopted');
      }
      await db.compactRange();
      await turns(20);
      const s = db.stats();
      const outputs = s.levels.reduce((n, l) => n + l.files, 0);
      assert.ok(outputs > 0);
      assert.equal(s.counters.tableHandovers, 2 + outputs, `every output adopted (${outputs} tables)`);
      const filterLoads = s.blockCache.filter.misses;
      for (let i = 0; i < N; i++) {
        const expected = i % 2 === 1 ? value(i, 1) : value(i, 0);
        assert.equal((await db.get(key(i)))?.toString(), expected, key(i));
        assert.equal(db.getSync(key(i) + '-missing'), undefined);
      }
      assert.equal(db.stats().blockCache.filter.misses, filterLoads, 'no filter read from disk');
      await db.close();
      db = await GraniteDB.open(dir, options);
      for (let i = 0; i < N; i += 7) {
        const expected = i % 2 === 1 ? value(i, 1) : value(i, 0);
        assert.equal(db.getSync(key(i))?.toString(), expected, key(i));
      }
      assert.equal(db.stats().counters.tableHandovers, 0, 'a reopen reads tables from disk');
    } finally {
      await db.close();
      removeDir(dir);
    }
  });
}
