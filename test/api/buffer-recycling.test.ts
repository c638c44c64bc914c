// Flushed memtables give their slabs and large batches' buffers back for new memtables (util/buffer-pool.ts).
// These pin that recycling never changes what a reader sees: an iterator opened before many flushes still
// returns the values of its time, and a WriteBatch reused after write() still holds its own operations once
// the memtable that held them recycled its buffers. Batches of ~100 KiB get a memtable buffer of their own;
// 256 KiB memtables flush every few batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';
import { scratchLentBytes } from '../../src/util/scratch.js';

const key = (i: number): string => `key${String(i).padStart(6, '0')}`;
const value = (round: number, i: number): Buffer => Buffer.alloc(100, (round * 31 + i) % 251);

/** Writes keys round * 800 .. round * 800 + 799 with value(round, i), one batch per round, for `rounds` rounds. */
async function fillRounds(db: GraniteDB, rounds: number): Promise<void> {
  const batch = new WriteBatch();
  for (let round = 0; round < rounds; round++) {
    batch.clear();
    for (let i = 0; i < 800; i++) batch.put(key(round * 800 + i), value(round, i));
    await db.write(batch);
  }
}

async function writeRound(db: GraniteDB, batch: WriteBatch, round: number): Promise<void> {
  batch.clear();
  for (let i = 0; i < 800; i++) batch.put(key(i), value(round, i));
  await db.write(batch);
}

test('an iterator opened before many flushes returns its own values while recycled buffers take new writes', async () => {
  const dir = makeTempDir('granite-recycle-');
  const db = await GraniteDB.open(dir, { memtableSize: 256 * 1024 });
  try {
    const batch = new WriteBatch();
    await writeRound(db, batch, 0);
    const it = db.iterator(); // holds the memtable that round 0 went to
    const first = it.next();
    assert.equal(first.done, false);
    for (let round = 1; round <= 40; round++) {
      await writeRound(db, batch, round);
      if (round % 8 === 0) await db.flush();
    }
    await db.waitForCompaction();
    let n = 1;
    assert.deepEqual(first.value![1], value(0, 0));
    for (const [k, v] of it) {
      assert.equal(k!.toString(), key(n));
      assert.deepEqual(v, value(0, n), `${key(n)} as of round 0`);
      n++;
    }
    assert.equal(n, 800);
    for (let i = 0; i < 800; i++) assert.deepEqual(db.getSync(key(i)), value(40, i));
  } finally {
    await db.close();
    removeDir(dir);
  }
});

test('a WriteBatch appended to after write() leaves the written batch intact through flushes', async () => {
  const dir = makeTempDir('granite-recycle-');
  let db = await GraniteDB.open(dir, { memtableSize: 256 * 1024 });
  try {
    const b = new WriteBatch();
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 400; i++) b.put(key(round * 400 + i), value(round, i));
      await db.write(b); // b keeps growing: each write holds every earlier round again, then this one
      if (round % 5 === 4) await db.flush();
    }
    await db.close();
    db = await GraniteDB.open(dir, { memtableSize: 256 * 1024 });
    for (let round = 0; round < 30; round++)
      for (let i = 0; i < 400; i++) assert.deepEqual(db.getSync(key(round * 400 + i)), value(round, i));
  } finally {
    await db.close();
    removeDir(dir);
  }
});

test('a batch written, flushed and written again after the memtable recycled its buffers still holds its own operations', async () => {
  const { writeBuffers } = await import('../../src/util/buffer-pool.js');
  const dir = makeTempDir('granite-recycle-');
  const db = await GraniteDB.open(dir, { memtableSize: 256 * 1024 });
  try {
    const a = new WriteBatch();
    for (let i = 0; i < 1000; i++) a.put(key(i), value(1, i));
    await db.write(a);
    await db.flush(); // the memtable that held a's write is retired and its buffers recycled
    assert.ok(writeBuffers.bytes > 0, "the memtable's buffers are in the pool");
    for (let round = 2; round < 12; round++) {
      const c = new WriteBatch(); // new batches of a's size take recycled buffers and fill them
      for (let i = 0; i < 1000; i++) c.put(key(i), value(round, i));
      await db.write(c);
    }
    a.put(key(5000), value(3, 0));
    await db.write(a); // a's 1000 puts again, then the new one
    for (let i = 0; i < 1000; i++) assert.deepEqual(db.getSync(key(i)), value(1, i), key(i));
    assert.deepEqual(db.getSync(key(5000)), value(3, 0));
  } finally {
    await db.close();
    removeDir(dir);
  }
});

test('the block cache borrows idle memtable memory during reads and gives it back when writes resume, values intact', async () => {
  const { writeBuffers, entryArrays } = await import('../../src/util/buffer-pool.js');
  const dir = makeTempDir('granite-recycle-');
  // A 64 KiB cache turns every 16 block reads; 256 KiB memtables flush every few batches and fill the pools.
  // No worker threads: the cache borrows only the pools here (the workers' memory: the next test).
  const db = await GraniteDB.open(dir, {
    memtableSize: 256 * 1024,
    blockCacheSize: 64 * 1024,
    backgroundThreads: 0,
  });
  try {
    await fillRounds(db, 12);
    await db.flush();
    await db.waitForCompaction();
    const check = (): void => {
      for (let n = 0; n < 12 * 800; n += 7)
        assert.deepEqual(db.getSync(key(n)), value(Math.floor(n / 800), n % 800));
    };
    check();
    const borrowed = db.stats().counters.cacheBorrowedBytes;
    assert.ok(borrowed > 0, 'reads with no writes borrowed pooled memory');
    assert.equal(borrowed, writeBuffers.lentBytes + entryArrays.lentBytes + scratchLentBytes());
    assert.ok(db.stats().counters.cacheBytes > 64 * 1024, 'blocks live in borrowed memory');
    check(); // and are read back from it
    // Writes resume: small puts are copied into a memtable slab, which asks the pool for memory; the pool
    // takes back what it lent, and the new entries overwrite it.
    const takes = writeBuffers.takes;
    for (let round = 12; round < 16; round++)
      for (let i = 0; i < 800; i++) await db.put(key(round * 800 + i), value(round, i));
    await db.flush();
    assert.ok(writeBuffers.takes > takes);
    assert.equal(writeBuffers.lentBytes, 0, 'write buffers given back');
    for (let n = 0; n < 16 * 800; n += 3)
      assert.deepEqual(db.getSync(key(n)), value(Math.floor(n / 800), n % 800));
  } finally {
    await db.close();
    removeDir(dir);
  }
  assert.equal(
    writeBuffers.lentBytes + entryArrays.lentBytes + scratchLentBytes(),
    0,
    'closing gives back everything borrowed',
  );
});

test('the block cache borrows the workers\u2019 memory once every worker has exited, and frees it before the next starts', async () => {
  const { writeBuffers, entryArrays } = await import('../../src/util/buffer-pool.js');
  const { WORKER_MEMORY_BYTES } = await import('../../src/util/idle-worker-memory.js');
  const dir = makeTempDir('granite-worker-memory-');
  const db = await GraniteDB.open(dir, { memtableSize: 256 * 1024, blockCacheSize: 64 * 1024 });
  const fromWorkers = (): number =>
    db.stats().counters.cacheBorrowedBytes -
    writeBuffers.lentBytes -
    entryArrays.lentBytes -
    scratchLentBytes();
  const check = (rounds: number): void => {
    for (let n = 0; n < rounds * 800; n += 7)
      assert.deepEqual(db.getSync(key(n)), value(Math.floor(n / 800), n % 800));
  };
  try {
    await fillRounds(db, 12);
    await db.flush();
    await db.waitForCompaction();
    check(12);
    assert.equal(fromWorkers(), 0, 'nothing of the workers\u2019 while they are alive');
    for (let waited = 0; db.stats().workers.flush + db.stats().workers.compaction > 0; waited += 50) {
      assert.ok(waited < 10_000, 'idle workers exit');
      await new Promise((r) => setTimeout(r, 50));
    }
    // stats() stops counting a worker when it is told to terminate; its exit event (which the lender counts)
    // comes a little later, so read until the cache's ring has turned twice after it.
    for (let waited = 0; fromWorkers() === 0; waited += 50) {
      assert.ok(waited < 10_000, 'borrowed after the workers exited');
      await new Promise((r) => setTimeout(r, 50));
      check(12);
      check(12);
    }
    assert.equal(fromWorkers(), 2 * WORKER_MEMORY_BYTES, 'one flush and one compaction worker\u2019s worth');
    check(12); // blocks read back from it
    // A write and a flush start the flush worker: the memory is dropped from the cache before it starts.
    for (let i = 0; i < 800; i++) await db.put(key(12 * 800 + i), value(12, i));
    await db.flush();
    assert.equal(fromWorkers(), 0, 'given back when a worker started');
    check(13);
  } finally {
    await db.close();
    removeDir(dir);
  }
});

test('many iterators open at once, opened and closed in a shuffled order, each read their own keys and values', async () => {
  const dir = makeTempDir('granite-block-copies-');
  // Tables only (no memtable entries), 4 KiB blocks of about 30 entries: every iterator copies cached blocks.
  const db = await GraniteDB.open(dir, { memtableSize: 256 * 1024 });
  try {
    await fillRounds(db, 4);
    await db.flush();
    await db.waitForCompaction();
    const expect = (n: number): Buffer => value(Math.floor(n / 800), n % 800);
    // Many iterators open at once at scattered positions, closed in a shuffled order while new ones open; each
    // reads on through several blocks and must see exactly its keys and values.
    const open: { it: Iterator<[Buffer | undefined, Buffer | undefined]>; next: number }[] = [];
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let step = 0; step < 400; step++) {
      if (open.length < 8 || rnd(3) === 0) {
        const start = rnd(3200 - 100);
        const it = db.iterator({ gte: key(start) })[Symbol.iterator]();
        open.push({ it, next: start });
      }
      const k = rnd(open.length);
      const cur = open[k]!;
      for (let j = 0; j < 1 + rnd(40) && cur.next < 3200; j++, cur.next++) {
        const r = cur.it.next();
        assert.ok(!r.done);
        assert.equal(r.value[0]!.toString(), key(cur.next));
        assert.deepEqual(r.value[1], expect(cur.next), key(cur.next));
      }
      if (rnd(2) === 0 || cur.next >= 3200) {
        cur.it.return?.();
        open.splice(k, 1);
      }
    }
    for (const o of open) o.it.return?.();
  } finally {
    await db.close();
    removeDir(dir);
  }
});
