// Regression test for a case the kill loop found (crashtest seed 20261205, cycle 731): flush() called while
// earlier sync writes were still in the write pipeline (queued, or in a group awaiting its WAL fdatasync,
// the memtable still empty) skipped the rotation and resolved at once, so it did not cover them: a flush
// acknowledged after `put` was called did not make the put durable, and a kill then lost it. flush() now
// rotates whenever the pipeline is busy; the rotation is queued behind those writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

for (const sync of [true, false]) {
  test(`crashtest seed 20261205 cycle 731: flush() covers writes submitted before it and not yet applied (sync ${sync})`, async () => {
    const dir = makeTempDir('granite-flush-order-');
    try {
      const db = await GraniteDB.open(dir, { backgroundThreads: 0 });
      try {
        await db.put('before', 'x');
        await db.flush(); // the memtable is now empty, as in the failing cycle
        const settled: string[] = [];
        const puts = ['a', 'b', 'c'].map((k) => db.put(k, `v-${k}`, { sync }).then(() => settled.push(k)));
        await db.flush();
        assert.deepEqual(settled, ['a', 'b', 'c'], 'every earlier put resolved before the flush did');
        const s = db.stats();
        assert.equal(s.levels[0]!.files, 2, 'the second flush wrote a table');
        await Promise.all(puts);
      } finally {
        await db.close();
      }
      // The puts are in a table, not only in a WAL.
      const again = await GraniteDB.open(dir, { backgroundThreads: 0 });
      try {
        for (const k of ['a', 'b', 'c']) assert.equal((await again.get(k))?.toString(), `v-${k}`);
      } finally {
        await again.close();
      }
    } finally {
      removeDir(dir);
    }
  });
}
