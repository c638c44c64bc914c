// Flushes in a worker thread (ADR 0010, ADR 0016): the memtable's batches, read in place in shared memory,
// rebuild the memtable in the worker, which writes exactly the table the in-thread flush writes (snapshot drop
// rule included); malformed batches leave no file; a failure inside the worker comes back as a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerPool } from '../../src/compaction/worker/pool.js';
import { writeLevel0Table } from '../../src/compaction/flush-table.js';
import { writeLevel0TableInWorker } from '../../src/db/flush-job.js';
import type { TableHandover } from '../../src/compaction/table-handover.js';
import { Memtable } from '../../src/memtable/memtable.js';
import { WriteBatch } from '../../src/batch/write-batch.js';
import { NodeFileSystem } from '../../src/fs/node-fs.js';
import { tableFileName } from '../../src/format/filenames.js';
import { GraniteError } from '../../src/errors/errors.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const TABLE = { blockSize: 1024, restartInterval: 16, bloomBitsPerKey: 10, compression: 'none' as const };

/** A memtable of every shape: deletions, binary and long keys, empty to 70 KiB values (a batch of its own
 *  slab); unordered: overwrites in an order that is not sorted; ordered: each key once, ascending (an
 *  append-only memtable, flushed straight from its batches). */
function memtable(ordered: boolean): Memtable {
  const mem = new Memtable(1);
  let seq = 1;
  const b = new WriteBatch();
  for (let round = 0; round < (ordered ? 1 : 3); round++) {
    for (let i = 0; i < 2000; i += 50) {
      b.clear();
      for (let j = i; j < i + 50; j++) {
        const k = ordered ? j : (j * 7919) % 2000;
        const key = `k${String(k).padStart(5, '0')}` + (k % 97 === 0 ? '\x00\xff'.repeat(50) : '');
        if ((k + round) % 7 === 0) b.delete(key);
        else b.put(key, Buffer.alloc(k % 500 === 0 ? 70_000 : k % 3 === 0 ? 0 : 100, k + round));
      }
      const rep = b.encodeCopy();
      mem.addBatch(rep, rep.length, seq);
      seq += b.length;
    }
  }
  return mem;
}

for (const [ordered, oldestSnapshot] of [
  [false, Number.MAX_SAFE_INTEGER],
  [false, 2500],
  [true, Number.MAX_SAFE_INTEGER],
  [true, 0],
] as const) {
  test(`a worker flush writes byte for byte the table an in-thread flush writes (${ordered ? 'append-only' : 'unordered'}, oldest snapshot ${oldestSnapshot})`, async () => {
    const dir = makeTempDir('granite-flush-worker-');
    const pool = new WorkerPool(1);
    try {
      const mem = memtable(ordered);
      assert.equal(mem.sharedBatches().inKeyOrder, ordered);
      const fs = new NodeFileSystem();
      const here = await writeLevel0Table(mem, 5, dir, fs, TABLE, oldestSnapshot, false);
      const there = await writeLevel0TableInWorker(mem, 6, dir, pool, TABLE, oldestSnapshot);
      assert.deepEqual({ ...there.meta, fileNum: 5 }, here.meta);
      // The worker hands over (transferred) the index and filter an in-thread flush parses.
      assert.ok(there.table !== undefined && here.table !== undefined);
      const plain = (t: TableHandover) => ({
        ...t,
        index: { ...t.index, keyBytes: new Uint8Array(t.index.keyBytes) },
        filter: t.filter && new Uint8Array(t.filter),
      });
      assert.deepEqual(plain({ ...there.table, fileNum: 5 }), plain(here.table));
      assert.ok(readFileSync(join(dir, tableFileName(5))).equals(readFileSync(join(dir, tableFileName(6)))));
    } finally {
      await pool.close();
      removeDir(dir);
    }
  });
}

for (const inKeyOrder of [true, false]) {
  test(`malformed shared batches (in key order: ${inKeyOrder}) come back as an error and leave no table file; the worker goes on`, async () => {
    const dir = makeTempDir('granite-flush-worker-');
    const pool = new WorkerPool(1);
    const spec = (fileNum: number) => ({
      dir,
      fileNum,
      table: TABLE,
      oldestSnapshot: Number.MAX_SAFE_INTEGER,
    });
    try {
      const mem = new Memtable(1);
      for (const [i, key] of (inKeyOrder ? ['a', 'b'] : ['b', 'a']).entries()) {
        const rep = new WriteBatch().put(key, 'x').encodeCopy();
        mem.addBatch(rep, rep.length, i + 1);
      }
      const bad = mem.sharedBatches();
      assert.equal(bad.inKeyOrder, inKeyOrder);
      // Past the end of its region: a batch (read in key order) or a key (read through the key index).
      if (inKeyOrder) bad.batchLength[1] = bad.regionLengths[0]! + 1;
      else bad.index!.kLen = Int32Array.of(bad.index!.kLen[0]!, bad.regionLengths[0]! + 1);
      await assert.rejects(
        pool.runFlush(spec(9), bad),
        inKeyOrder
          ? /malformed shared batches: batch 1 outside region 0/
          : /malformed shared memtable: key 1/,
      );
      await pool.runFlush(spec(10), mem.sharedBatches());
      assert.equal(existsSync(join(dir, tableFileName(9))), false);
      assert.equal(existsSync(join(dir, tableFileName(10))), true);
    } finally {
      await pool.close();
      removeDir(dir);
    }
  });
}

test('the worker reads the memtable’s batches in place: bytes changed in its shared memory reach the table', async () => {
  const dir = makeTempDir('granite-flush-worker-');
  const pool = new WorkerPool(1);
  try {
    const mem = new Memtable(1);
    const rep = new WriteBatch().put('key', 'value-A'.padEnd(80_000, '.')).encodeCopy();
    mem.addBatch(rep, rep.length, 1); // large: copied into a shared buffer of its own
    const batches = mem.sharedBatches();
    // Not something the engine does (the memtable is immutable until its flush is installed): it shows that
    // no copy stands between the memtable's memory and the worker.
    const region = Buffer.from(batches.buffers[batches.batchRegion[0]!]!);
    region.write('B', region.indexOf('value-A') + 'value-'.length, 'latin1');
    await pool.runFlush({ dir, fileNum: 4, table: TABLE, oldestSnapshot: 0 }, batches);
    const bytes = readFileSync(join(dir, tableFileName(4)));
    assert.ok(bytes.includes('value-B') && !bytes.includes('value-A'));
  } finally {
    await pool.close();
    removeDir(dir);
  }
});

test('a failure inside the worker (no such directory) is a typed IO error', async () => {
  const pool = new WorkerPool(1);
  try {
    const mem = new Memtable(1);
    const rep = new WriteBatch().put('a', 'x').encodeCopy();
    mem.addBatch(rep, rep.length, 1);
    await assert.rejects(
      pool.runFlush(
        { dir: '/nonexistent/granite-dir', fileNum: 3, table: TABLE, oldestSnapshot: 0 },
        mem.sharedBatches(),
      ),
      (err: unknown) => err instanceof GraniteError && err.code === 'IO',
    );
  } finally {
    await pool.close();
  }
});

for (const flushInWorker of [true, false]) {
  test(`a database with flushInWorker: ${flushInWorker} flushes full memtables and reads every key back, also after reopen`, async () => {
    const { GraniteDB } = await import('../../src/index.js');
    const dir = makeTempDir('granite-flush-option-');
    const opts = { flushInWorker, memtableSize: 64 * 1024, backgroundThreads: 1 };
    const key = (i: number): string => `k${String(i).padStart(6, '0')}`;
    try {
      const db = await GraniteDB.open(dir, opts);
      const batch = new WriteBatch();
      for (let i = 0; i < 5000; i++) {
        batch.put(key(i), `v${i}`.padEnd(60, '-'));
        if (i % 100 === 99) {
          await db.write(batch);
          batch.clear();
        }
      }
      await db.flush();
      assert.ok(db.stats().counters.flushes >= 3, `flushes: ${db.stats().counters.flushes}`);
      for (let i = 0; i < 5000; i += 7) assert.equal(db.getSync(key(i))?.toString(), `v${i}`.padEnd(60, '-'));
      await db.close();
      const again = await GraniteDB.open(dir, opts);
      try {
        assert.equal([...again.iterator({ values: false })].length, 5000);
      } finally {
        await again.close();
      }
    } finally {
      removeDir(dir);
    }
  });
}

test('a worker idle for idleMs is terminated, and the next job starts a new one; a job in between keeps it', async () => {
  const dir = makeTempDir('granite-flush-idle-');
  const pool = new WorkerPool(1, undefined, 0, 150);
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const flush = (fileNum: number): Promise<unknown> => {
    const mem = new Memtable(1);
    const rep = new WriteBatch().put(`key-${fileNum}`, 'value').encodeCopy();
    mem.addBatch(rep, rep.length, 1);
    return pool.runFlush({ dir, fileNum, table: TABLE, oldestSnapshot: 0 }, mem.sharedBatches());
  };
  try {
    await flush(1);
    await sleep(60);
    await flush(2); // within idleMs of the last job: the same worker, its idle clock restarted
    await sleep(60);
    assert.equal(pool.retired, 0);
    assert.equal(pool.liveWorkers, 1);
    await sleep(400);
    assert.equal(pool.retired, 1, 'terminated once idle for idleMs');
    assert.equal(pool.liveWorkers, 0);
    await flush(3);
    assert.equal(pool.liveWorkers, 1, 'a new worker ran the next job');
    assert.ok(readFileSync(join(dir, tableFileName(3))).includes('key-3'));
  } finally {
    await pool.close();
    removeDir(dir);
  }
  assert.equal(pool.retired, 1, 'close() is not an idle retirement');
});

test('a database terminates its idle flush worker after FLUSH_WORKER_IDLE_MS, before its compaction worker; stats() counts them', async () => {
  const { GraniteDB } = await import('../../src/index.js');
  const { FLUSH_WORKER_IDLE_MS } = await import('../../src/db/flush-job.js');
  const { WORKER_IDLE_MS } = await import('../../src/compaction/worker/pool.js');
  assert.ok(FLUSH_WORKER_IDLE_MS < WORKER_IDLE_MS);
  const dir = makeTempDir('granite-flush-idle-db-');
  const db = await GraniteDB.open(dir, { memtableSize: 64 * 1024, level0CompactionTrigger: 2 });
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  try {
    assert.deepEqual(db.stats().workers, { flush: 0, compaction: 0 }, 'no worker before the first job');
    const batch = new WriteBatch();
    for (let i = 0; i < 3000; i++) {
      batch.put(`k${String(i).padStart(6, '0')}`, 'v'.repeat(60));
      if (i % 100 === 99) {
        await db.write(batch);
        batch.clear();
      }
    }
    await db.flush();
    await db.waitForCompaction();
    const after = db.stats();
    assert.ok(after.counters.flushes >= 2 && after.counters.compactions >= 1, JSON.stringify(after.counters));
    assert.equal(after.workers.flush, 1, 'the flush worker stays for the next flush a while');
    await sleep(FLUSH_WORKER_IDLE_MS + 300);
    assert.equal(db.stats().workers.flush, 0, 'terminated once idle for FLUSH_WORKER_IDLE_MS');
    await sleep(WORKER_IDLE_MS);
    assert.equal(db.stats().workers.compaction, 0, 'the compaction worker too, after WORKER_IDLE_MS');
  } finally {
    await db.close();
    removeDir(dir);
  }
});

test('an open database raises the write-buffer pool cap by its memtable size until it closes, a failed open not at all', async () => {
  const { GraniteDB } = await import('../../src/index.js');
  const { writeBuffers } = await import('../../src/util/buffer-pool.js');
  const dir = makeTempDir('granite-reserve-');
  const base = writeBuffers.maxBytes;
  try {
    const a = await GraniteDB.open(join(dir, 'a'), { memtableSize: 1 << 20 });
    const b = await GraniteDB.open(join(dir, 'b'), { memtableSize: 3 << 20 });
    assert.equal(writeBuffers.maxBytes, base + (4 << 20));
    await assert.rejects(GraniteDB.open(join(dir, 'a'), { memtableSize: 5 << 20 }), { code: 'LOCKED' });
    assert.equal(writeBuffers.maxBytes, base + (4 << 20), 'the failed open gave its reservation back');
    await a.close();
    assert.equal(writeBuffers.maxBytes, base + (3 << 20));
    await b.close();
    await b.close();
    assert.equal(writeBuffers.maxBytes, base, 'closing twice gives back once');
  } finally {
    removeDir(dir);
  }
});
