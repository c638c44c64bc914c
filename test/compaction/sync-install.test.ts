// A finished worker compaction is installed even when the program only runs synchronous reads (design.md
// section 13/14): getSync polls the worker's result port and installs the result when the MANIFEST is idle,
// so reads stop probing the compacted L0 tables without any event-loop turn. Behaviour, not timing: the loop
// below is bounded only to fail instead of hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

test('getSync alone installs a finished worker compaction; data stays correct and reopens clean', async () => {
  const dir = makeTempDir('granite-sync-install-');
  const key = (i: number): string => `k${String(i).padStart(7, '0')}`;
  const N = 4000;
  try {
    const db = await GraniteDB.open(dir, {
      memtableSize: 4 * 1024 * 1024, // no rotation by size: the four explicit flushes make the four L0 tables
      level0CompactionTrigger: 4,
      backgroundThreads: 1,
    });
    try {
      const b = new WriteBatch();
      for (let i = 0; i < N; i += 100) {
        b.clear();
        for (let j = i; j < i + 100; j++) b.put(key((j * 7919) % N), `v${(j * 7919) % N}`.padEnd(100, '.'));
        await db.write(b);
        if ((i + 100) % (N / 4) === 0) await db.flush();
      }
      // Now L0 holds several overlapping tables and a compaction runs (or is about to) in the worker.
      const l0Before = db.stats().levels[0]!.files;
      assert.ok(l0Before >= 4, `expected at least 4 L0 tables, got ${l0Before}`);
      // Give the event loop one turn so the compaction is started, then read only synchronously.
      await new Promise((r) => setImmediate(r));
      assert.equal(db.stats().compacting, true, 'a compaction is running in the worker');
      const deadline = Date.now() + 60_000;
      let reads = 0;
      while (db.stats().levels[0]!.files >= l0Before && Date.now() < deadline) {
        for (let i = 0; i < 256; i++, reads++) {
          const k = (reads * 13) % N;
          assert.equal(db.getSync(key(k))?.toString(), `v${k}`.padEnd(100, '.'));
        }
      }
      const shape = db.stats().levels;
      assert.ok(
        shape[0]!.files < l0Before,
        `L0 still has ${shape[0]!.files} tables after ${reads} synchronous reads`,
      );
      assert.ok(shape[1]!.files > 0, 'the compaction output is in L1');
      await db.waitForCompaction();
      for (let k = 0; k < N; k++) assert.equal(db.getSync(key(k))?.toString(), `v${k}`.padEnd(100, '.'));
    } finally {
      await db.close();
    }
    const again = await GraniteDB.open(dir);
    for (let k = 0; k < N; k += 97) assert.equal(again.getSync(key(k))?.toString(), `v${k}`.padEnd(100, '.'));
    await again.close();
  } finally {
    removeDir(dir);
  }
});

test('a process started with --expose-gc --input-type=module -e runs compactions and, leaving the database open, still exits by itself', () => {
  const dir = makeTempDir('granite-exit-');
  try {
    const index = new URL('../../src/index.js', import.meta.url).href;
    const script = `
      const { GraniteDB, WriteBatch } = await import(${JSON.stringify(index)});
      const db = await GraniteDB.open(${JSON.stringify(dir)}, { memtableSize: 65536, level0CompactionTrigger: 4 });
      const b = new WriteBatch();
      for (let i = 0; i < 4000; i += 100) {
        b.clear();
        for (let j = i; j < i + 100; j++) b.put('k' + String((j * 7919) % 4000).padStart(7, '0'), 'v'.padEnd(100, '.'));
        await db.write(b);
      }
      await db.waitForCompaction();
      console.log('compactions', db.stats().counters.compactions);
    `;
    // Bounded only so that a regression fails instead of hanging the suite.
    // --expose-gc and --input-type are inherited by worker threads unless the pool handles them.
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.error, undefined, `child did not exit: ${String(r.error)}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /compactions [1-9]/);
  } finally {
    removeDir(dir);
  }
});
