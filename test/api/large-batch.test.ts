// Regression (memtable wrong slab): a write batch of >= 64 KiB followed by small writes. Before the fix,
// the small writes' values were read from the large batch's bytes: wrong values from get and in flushed
// tables. Checked from the memtable, after a flush, and after reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';

test('small writes after a large batch read back their own values, before and after flush and reopen', async () => {
  const fs = new MemoryFileSystem();
  const value = (j: number): Buffer => Buffer.alloc(j % 100 === 0 ? 70_000 : 100, j);
  const db = await GraniteDB.open('/db', { fileSystem: fs });
  for (let i = 0; i < 400; i += 50) {
    const b = new WriteBatch();
    for (let j = i; j < i + 50; j++) b.put(`k${j}`, value(j));
    await db.write(b);
  }
  await db.put('single', 'after the large batches');
  const check = (d: GraniteDB, when: string): void => {
    for (let j = 0; j < 400; j++) assert.ok(d.getSync(`k${j}`)?.equals(value(j)), `k${j} ${when}`);
    assert.equal(d.getSync('single')?.toString(), 'after the large batches', when);
  };
  check(db, 'from the memtable');
  await db.flush();
  check(db, 'after flush');
  await db.close();
  const again = await GraniteDB.open('/db', { fileSystem: fs });
  check(again, 'after reopen');
  await again.close();
});
