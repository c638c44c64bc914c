// Async reads complete without waiting (they read memory and page-cached files), so a loop of awaited reads
// would run entirely in the microtask queue and starve everything behind it: the engine's flush (its file
// writes complete through the event loop), compaction installs, the application's timers. These pin that
// get(), getMany() and `for await` hold such a loop for a turn of the event loop (util/turn-gate.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const CAP = 3_000_000;

test('a tight loop of awaited get() lets a pending flush finish', async () => {
  const dir = makeTempDir('granite-async-yield-');
  const db = await GraniteDB.open(dir, { memtableSize: 256 * 1024, maxImmutableMemtables: 4 });
  try {
    const value = Buffer.alloc(100, 1);
    // Not awaited between batches' completion and the reads: writes return once in the memtable and WAL,
    // leaving memtables frozen and waiting for their flush.
    for (let b = 0; b < 8; b++) {
      const batch = new WriteBatch();
      for (let i = 0; i < 1000; i++) batch.put(`k${b}-${i}`, value);
      await db.write(batch);
    }
    assert.ok(db.stats().immutableMemtables > 0, 'the writes left frozen memtables to flush');
    let gets = 0;
    while (db.stats().immutableMemtables > 0 && gets < CAP) {
      assert.equal((await db.get(`k${gets % 8}-${gets % 1000}`))?.length, 100);
      gets++;
    }
    assert.equal(db.stats().immutableMemtables, 0, `still frozen memtables after ${gets} gets`);
  } finally {
    await db.close();
    removeDir(dir);
  }
});

test('loops of awaited getMany() and of for-await iteration let an immediate run', async () => {
  const dir = makeTempDir('granite-async-yield-');
  const db = await GraniteDB.open(dir);
  try {
    const batch = new WriteBatch();
    for (let i = 0; i < 1000; i++) batch.put(`k${String(i).padStart(4, '0')}`, 'v');
    await db.write(batch);
    let ran = false;
    setImmediate(() => (ran = true));
    for (let n = 0; !ran && n < CAP; n++)
      assert.equal((await db.getMany(['k0001', 'zz']))[0]?.toString(), 'v');
    assert.ok(ran, 'getMany loop');
    ran = false;
    setImmediate(() => (ran = true));
    for (let n = 0; !ran && n < CAP / 1000; n++) {
      let count = 0;
      for await (const [k] of db.iterator()) {
        assert.ok(k !== undefined);
        count++;
        if (ran) break;
      }
      assert.ok(ran || count === 1000);
    }
    assert.ok(ran, 'for-await loop');
  } finally {
    await db.close();
    removeDir(dir);
  }
});
