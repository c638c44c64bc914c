// Flushes in a worker thread (ADR 0010): the entry stream round-trips every shape of entry into a table,
// a failing producer leaves no file, and a failure inside the worker comes back as a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerPool } from '../../src/compaction/worker/pool.js';
import { FlushChunkWriter } from '../../src/compaction/flush-stream.js';
import { NodeFileSystem } from '../../src/fs/node-fs.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { TableIterator } from '../../src/sstable/table-iterator.js';
import { Kind } from '../../src/format/keys.js';
import { tableFileName } from '../../src/format/filenames.js';
import { GraniteError } from '../../src/errors/errors.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const TABLE = { blockSize: 1024, restartInterval: 16, bloomBitsPerKey: 10, compression: 'none' as const };

/** Entries in internal-key order: short and long keys (binary bytes included), empty to 5 KiB values, deletions. */
function entries(): { key: string; trailer: number; value: Buffer }[] {
  const out: { key: string; trailer: number; value: Buffer }[] = [];
  for (let i = 0; i < 3000; i++) {
    const key = `k${String(i).padStart(5, '0')}` + (i % 97 === 0 ? '\x00\xff'.repeat(50) : '');
    const len = i % 500 === 0 ? 5000 : i % 3 === 0 ? 0 : 100;
    const kind = i % 7 === 0 ? Kind.Delete : Kind.Value;
    out.push({
      key,
      trailer: (i + 1) * 256 + kind,
      value: Buffer.alloc(kind === Kind.Delete ? 0 : len, i & 0xff),
    });
  }
  return out;
}

test('a flush streamed to a worker writes a table holding exactly the entries sent, in order', async () => {
  const dir = makeTempDir('granite-flush-worker-');
  const pool = new WorkerPool(1);
  try {
    const want = entries();
    let chunks = 0;
    const meta = await pool.runFlush({ dir, fileNum: 7, table: TABLE }, async (send) => {
      const w = new FlushChunkWriter();
      for (const e of want) {
        w.add(e.key, e.trailer, e.value, 0, e.value.length);
        if (w.size > 20_000) {
          const { chunk, length } = w.take();
          send(chunk, length);
          chunks++;
          await new Promise((r) => setImmediate(r));
        }
      }
      const { chunk, length } = w.take();
      send(chunk, length);
      chunks++;
    });
    assert.ok(chunks > 5, `${chunks} chunks`);
    assert.equal(meta.fileNum, 7);
    assert.equal(meta.smallestKey, want[0]!.key);
    assert.equal(meta.largestKey, want[want.length - 1]!.key);
    const fs = new NodeFileSystem();
    const name = tableFileName(7);
    const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
    const reader = TableReader.open(fs.openRead(join(dir, name)), 7, name, undefined, counters);
    const it = new TableIterator(reader);
    it.seekToFirst();
    for (const e of want) {
      assert.ok(it.valid());
      assert.equal(it.key(), e.key);
      assert.equal(it.trailer(), e.trailer);
      const v = it.valueData().subarray(it.valueOffset(), it.valueOffset() + it.valueLength());
      assert.ok(Buffer.from(v).equals(e.value), `value of ${JSON.stringify(e.key)}`);
      it.next();
    }
    assert.equal(it.valid(), false);
    reader.unref();
  } finally {
    await pool.close();
    removeDir(dir);
  }
});

test('a producer that fails aborts the flush: the error comes back and no table file is left', async () => {
  const dir = makeTempDir('granite-flush-worker-');
  const pool = new WorkerPool(1);
  try {
    const boom = new Error('producer failed');
    await assert.rejects(
      pool.runFlush({ dir, fileNum: 9, table: TABLE }, async (send) => {
        const w = new FlushChunkWriter();
        w.add('a', 256 + Kind.Value, Buffer.from('x'), 0, 1);
        const { chunk, length } = w.take();
        send(chunk, length);
        throw boom;
      }),
      (err: unknown) => err === boom,
    );
    // The worker handles messages in order: once a later flush is done, the abort has removed the file.
    await pool.runFlush({ dir, fileNum: 10, table: TABLE }, async () => undefined);
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
    await assert.rejects(
      pool.runFlush({ dir: '/nonexistent/granite-dir', fileNum: 3, table: TABLE }, async (send) => {
        const w = new FlushChunkWriter();
        w.add('a', 256 + Kind.Value, Buffer.from('x'), 0, 1);
        const { chunk, length } = w.take();
        send(chunk, length);
      }),
      (err: unknown) => err instanceof GraniteError && err.code === 'IO',
    );
  } finally {
    await pool.close();
  }
});
