// Regression tests for "switching a leveled database to tiered resurrects deleted keys" (found by the kill
// loop and by the metamorphic reopen=rotate sets; /work/bugs.md, docs/reliability.md). A database written
// with compactionStyle 'leveled' keeps tables in L1+; reopened 'tiered', a run merge that includes the oldest
// L0 run used to be marked bottommost and dropped its deletions, so the older L1 values showed again.
// Fix: a tiered merge (picked or compactRange) is bottommost only when no L1+ table overlaps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB } from '../../../src/index.js';
import { MemoryFileSystem } from '../../../src/fs/index.js';
import { pickTiered } from '../../../src/compaction/picker.js';
import type { FileMeta } from '../../../src/version/file-meta.js';

const base = { memtableSize: 4096, level0CompactionTrigger: 2 } as const;

/** A database whose key 'k' lives in L1 only, written leveled. */
async function leveledWithKInL1(fs: MemoryFileSystem): Promise<void> {
  const db = await GraniteDB.open('/db', { ...base, fileSystem: fs, compactionStyle: 'leveled' });
  await db.put('k', 'old');
  await db.put('m', 'kept');
  await db.compactRange();
  assert.deepEqual(
    db
      .stats()
      .levels.filter((l) => l.files > 0)
      .map((l) => l.level),
    [1],
  );
  await db.close();
}

test('switching a leveled database to tiered never resurrects deleted keys (automatic run merges)', async () => {
  const fs = new MemoryFileSystem();
  await leveledWithKInL1(fs);
  const db = await GraniteDB.open('/db', { ...base, fileSystem: fs, compactionStyle: 'tiered' });
  try {
    await db.delete('k');
    await db.flush();
    for (const k of ['x', 'y', 'z']) {
      await db.put(k, '1');
      await db.flush();
    }
    await db.waitForCompaction();
    assert.ok(db.stats().counters.compactions > 0, 'a tiered merge including the oldest run ran');
    assert.equal(await db.get('k'), undefined);
    assert.deepEqual(
      [...db.iterator({ values: false })].map(([k]) => k!.toString()),
      ['m', 'x', 'y', 'z'],
    );
  } finally {
    await db.close();
  }
});

test('switching a leveled database to tiered never resurrects deleted keys (compactRange)', async () => {
  const fs = new MemoryFileSystem();
  await leveledWithKInL1(fs);
  const db = await GraniteDB.open('/db', {
    ...base,
    fileSystem: fs,
    compactionStyle: 'tiered',
    level0CompactionTrigger: 100,
    level0SlowdownTrigger: 100,
    level0StopTrigger: 100,
  });
  try {
    await db.delete('k');
    await db.flush();
    await db.put('x', '1');
    await db.flush();
    await db.compactRange();
    assert.equal(await db.get('k'), undefined);
  } finally {
    await db.close();
  }
  // And after reopening leveled: the tombstone still shadows L1.
  const again = await GraniteDB.open('/db', { ...base, fileSystem: fs, compactionStyle: 'leveled' });
  try {
    await again.compactRange();
    assert.equal(await again.get('k'), undefined);
    assert.equal((await again.get('m'))?.toString(), 'kept');
  } finally {
    await again.close();
  }
});

test('pickTiered marks a merge of every run bottommost only when no L1+ table overlaps it', () => {
  const meta = (fileNum: number, lo: string, hi: string, seq: number): FileMeta => ({
    fileNum,
    size: 1000,
    smallestKey: lo,
    smallestTrailer: 0,
    largestKey: hi,
    largestTrailer: 0,
    smallestSeq: seq,
    largestSeq: seq,
  });
  const opts = {
    compactionStyle: 'tiered' as const,
    level0CompactionTrigger: 2,
    maxBytesForLevelBase: 1 << 20,
    levelMultiplier: 10,
    targetFileSize: 1 << 20,
  };
  const runs = [meta(5, 'a', 'm', 9), meta(4, 'b', 'k', 8)];
  const empty: FileMeta[][] = [runs, [], [], [], [], [], []];
  assert.equal(pickTiered(empty, opts)?.bottommost, true);
  const overlapped: FileMeta[][] = [runs, [meta(2, 'c', 'd', 1)], [], [], [], [], []];
  assert.equal(pickTiered(overlapped, opts)?.bottommost, false);
  const disjoint: FileMeta[][] = [runs, [], [meta(2, 'n', 'p', 1)], [], [], [], []];
  assert.equal(pickTiered(disjoint, opts)?.bottommost, true);
});
