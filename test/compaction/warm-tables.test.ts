// Tables a flush or compaction installs are opened in the background, one per event-loop turn, so that the
// first read of each does not pay for its footer, index and filter inside a get (docs/performance.md, p99.9
// of getSync during compactions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';
import { readdirSync } from 'node:fs';
import { NodeFileSystem } from '../../src/fs/node-fs.js';
import { TableCache } from '../../src/version/table-cache.js';
import { bloomHash } from '../../src/util/bloom.js';

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

test('TableCache: an offered index and filter open the table on its first get; eviction drops the offer', async () => {
  const dir = makeTempDir('granite-warm-');
  try {
    const db = await GraniteDB.open(dir);
    const b = new WriteBatch();
    for (let i = 0; i < 2000; i++) b.put(`k${String(i).padStart(5, '0')}`, `v${i}`);
    await db.write(b);
    await db.flush();
    await db.close();
    const fileNum = Number(
      readdirSync(dir)
        .find((f) => f.endsWith('.sst'))!
        .slice(0, -4),
    );
    const fs = new NodeFileSystem();
    const source = new TableCache(dir, fs, 10, undefined);
    const opened = source.get(fileNum);
    const preparsed = { index: opened.index, filter: opened.filterContents };
    assert.equal(source.filterLoads, 1, 'a plain open reads the filter');

    const offered = new TableCache(dir, fs, 10, undefined);
    offered.offer(fileNum, preparsed);
    const reader = offered.get(fileNum);
    assert.equal(offered.adopted, 1, 'opened with what was offered');
    assert.equal(offered.filterLoads, 0);
    assert.ok(reader.mayContain(bloomHash('k01234')));
    offered.get(fileNum); // the warm-up after it: already open
    assert.equal(offered.opens, 1);

    const dropped = new TableCache(dir, fs, 10, undefined);
    dropped.offer(fileNum, preparsed);
    dropped.evict(fileNum); // the table became obsolete before any read
    dropped.get(fileNum);
    assert.equal(dropped.adopted, 0, 'the offer went with the eviction');
    assert.equal(dropped.filterLoads, 1);
    for (const c of [source, offered, dropped]) c.close();
  } finally {
    removeDir(dir);
  }
});
