// A WriteBatch lends the engine a view of its bytes for each write() and gets it back once the WAL and the
// memtable hold copies (write-batch.ts). These pin that reusing a batch after write() — changing it, clearing
// it, or writing it again unchanged, with or without awaiting — never alters what an earlier write() applied,
// also after the WAL is replayed on reopen. Batches here are large (> 64 KiB): the memtable copies them into
// buffers of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const value = (tag: string, i: number): string => `${tag}-${i}-`.padEnd(120, tag[0]);

async function check(db: GraniteDB, expected: Map<string, string>): Promise<void> {
  for (const [k, v] of expected) assert.equal(db.getSync(k)?.toString(), v, `key ${k}`);
}

test('reusing a WriteBatch after write() never changes what was written, before and after reopen', async () => {
  const dir = makeTempDir('granite-batch-reuse-');
  try {
    let db = await GraniteDB.open(dir);
    const expected = new Map<string, string>();
    const b = new WriteBatch();
    for (let i = 0; i < 1000; i++) b.put(`a${i}`, value('a', i));
    const first = db.write(b); // not awaited: the batch changes while the write is queued
    for (let i = 0; i < 1000; i++) expected.set(`a${i}`, value('a', i));
    for (let i = 0; i < 500; i++) b.put(`a${i}`, value('b', i)); // same keys, new values, appended to b
    await first;
    await check(db, expected);
    await db.write(b); // b now holds the 'a' puts and then the 'b' ones
    for (let i = 0; i < 500; i++) expected.set(`a${i}`, value('b', i));
    await check(db, expected);

    b.clear();
    for (let i = 0; i < 1000; i++) b.put(`c${i}`, value('c', i));
    const w1 = db.write(b);
    const w2 = db.write(b); // unchanged and written twice: both apply, each with its own sequence numbers
    b.clear();
    for (let i = 0; i < 1000; i++) b.put(`c${i}`, value('d', i));
    await Promise.all([w1, w2]);
    for (let i = 0; i < 1000; i++) expected.set(`c${i}`, value('c', i));
    await check(db, expected);
    assert.equal(db.stats().counters.writes >= 4, true);

    await db.close();
    db = await GraniteDB.open(dir); // the WAL holds the same bytes
    await check(db, expected);
    await db.close();
  } finally {
    removeDir(dir);
  }
});

test('a view lent for one write never changes while the batch is cleared, refilled and lent again', () => {
  const b = new WriteBatch();
  for (let i = 0; i < 1000; i++) b.put(`k${i}`, value('v', i));
  const first = b.lend();
  const copy = Buffer.from(first);
  const second = b.lend(); // still lent: a copy of its own (the engine writes sequence numbers into headers)
  assert.notEqual(second.buffer, first.buffer);
  second.fill(0xee, 0, 8);
  assert.deepEqual(first, copy);
  b.put('more', 'x'); // appends past the lent bytes
  b.delete('k1');
  const third = b.encodeCopy();
  assert.deepEqual(first, copy);
  assert.equal(third.length > first.length, true);
  b.clear(); // moves to another buffer while the first view is lent
  b.put('z', value('z', 0));
  assert.deepEqual(first, copy);
  b.giveBack(second);
  b.giveBack(first);
  b.put('after', 'x'); // given back: the batch writes in place again
  assert.deepEqual(first, copy, 'the old buffer went to the pool, untouched');
});
