// Flushes in a worker thread (ADR 0010): the batch stream rebuilds the memtable in the worker, which writes
// exactly the table the in-thread flush writes (snapshot drop rule included); a failing producer leaves no
// file; a failure inside the worker comes back as a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerPool } from '../../src/compaction/worker/pool.js';
import { FlushChunkWriter } from '../../src/compaction/flush-stream.js';
import { writeLevel0Table } from '../../src/compaction/flush-table.js';
import { writeLevel0TableInWorker } from '../../src/db/flush-job.js';
import { Memtable } from '../../src/memtable/memtable.js';
import { WriteBatch } from '../../src/batch/write-batch.js';
import { NodeFileSystem } from '../../src/fs/node-fs.js';
import { tableFileName } from '../../src/format/filenames.js';
import { GraniteError } from '../../src/errors/errors.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const TABLE = { blockSize: 1024, restartInterval: 16, bloomBitsPerKey: 10, compression: 'none' as const };

/** A memtable of every shape: overwrites, deletions, binary and long keys, empty to 70 KiB values (a batch
 *  of its own slab), in an order that is not sorted. */
function memtable(): Memtable {
  const mem = new Memtable(1);
  let seq = 1;
  const b = new WriteBatch();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 2000; i += 50) {
      b.clear();
      for (let j = i; j < i + 50; j++) {
        const k = (j * 7919) % 2000;
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

for (const oldestSnapshot of [Number.MAX_SAFE_INTEGER, 2500]) {
  test(`a worker flush writes byte for byte the table an in-thread flush writes (oldest snapshot ${oldestSnapshot})`, async () => {
    const dir = makeTempDir('granite-flush-worker-');
    const pool = new WorkerPool(1);
    try {
      const mem = memtable();
      const fs = new NodeFileSystem();
      const here = await writeLevel0Table(mem, 5, dir, fs, TABLE, oldestSnapshot, false);
      const there = await writeLevel0TableInWorker(mem, 6, dir, pool, TABLE, oldestSnapshot);
      assert.deepEqual({ ...there, fileNum: 5 }, here);
      assert.ok(readFileSync(join(dir, tableFileName(5))).equals(readFileSync(join(dir, tableFileName(6)))));
    } finally {
      await pool.close();
      removeDir(dir);
    }
  });
}

test('a producer that fails aborts the flush: the error comes back and no table file is left', async () => {
  const dir = makeTempDir('granite-flush-worker-');
  const pool = new WorkerPool(1);
  const spec = (fileNum: number) => ({ dir, fileNum, table: TABLE, oldestSnapshot: Number.MAX_SAFE_INTEGER });
  try {
    const boom = new Error('producer failed');
    const rep = new WriteBatch().put('a', 'x').encodeCopy();
    await assert.rejects(
      pool.runFlush(spec(9), async (send) => {
        const w = new FlushChunkWriter();
        w.addBatch(rep, 0, rep.length, 1);
        const { chunk, length } = w.take();
        send(chunk, length);
        throw boom;
      }),
      (err: unknown) => err === boom,
    );
    await pool.runFlush(spec(10), async (send) => {
      const w = new FlushChunkWriter();
      w.addBatch(rep, 0, rep.length, 1);
      const { chunk, length } = w.take();
      send(chunk, length);
    });
    assert.equal(existsSync(join(dir, tableFileName(9))), false);
    assert.equal(existsSync(join(dir, tableFileName(10))), true);
  } finally {
    await pool.close();
    removeDir(dir);
  }
});

test('a failure inside the worker (no such directory) is a typed IO error', async () => {
  const pool = new WorkerPool(1);
  try {
    const rep = new WriteBatch().put('a', 'x').encodeCopy();
    await assert.rejects(
      pool.runFlush(
        { dir: '/nonexistent/granite-dir', fileNum: 3, table: TABLE, oldestSnapshot: 0 },
        async (send) => {
          const w = new FlushChunkWriter();
          w.addBatch(rep, 0, rep.length, 1);
          const { chunk, length } = w.take();
          send(chunk, length);
        },
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
