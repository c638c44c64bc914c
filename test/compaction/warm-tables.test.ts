// Tables a flush or compaction installs are opened in the background, one per event-loop turn, so that the
// first read of each does not pay for its footer, index and filter inside a get (docs/performance.md, p99.9
// of getSync during compactions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

for (const backgroundThreads of [0, 1]) {
  test(`new tables are opened without a read after flushes and compactions (backgroundThreads ${backgroundThreads})`, async () => {
    const dir = makeTempDir('granite-warm-');
    try {
      const db = await GraniteDB.open(dir, {
        backgroundThreads,
        memtableSize: 32 * 1024,
        targetFileSize: 16 * 1024,
        level0CompactionTrigger: 2,
      });
      try {
        const b = new WriteBatch();
        for (let round = 0; round < 8; round++) {
          b.clear();
          for (let i = 0; i < 400; i++)
            b.put(`k${String((i * 7919 + round) % 3000).padStart(5, '0')}`, `v${round}-${i}`);
          await db.write(b);
          await db.flush();
        }
        await db.waitForCompaction();
        await turns(50);
        const s = db.stats();
        const live = s.levels.reduce((n, l) => n + l.files, 0);
        assert.ok(live > 0);
        assert.ok(s.counters.compactions > 0, 'a compaction ran');
        // No read was made: every open is a background warm-up, and every live table is among them.
        assert.ok(
          s.counters.tableOpens >= live,
          `tableOpens ${s.counters.tableOpens} >= live tables ${live}`,
        );
      } finally {
        await db.close();
      }
    } finally {
      removeDir(dir);
    }
  });
}
