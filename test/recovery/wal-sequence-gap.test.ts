// Regression test for a case the corruption sweep found ("older WAL cut at a record boundary"): recovery
// replays WALs in number order, and a cut at a record boundary leaves a log that reads as intact. An older
// WAL that lost its last records was followed by the newer WAL's records, so acknowledged synced writes
// vanished silently while later ones survived. Recovery now checks that sequence numbers continue from record
// to record across WALs: the jump is CorruptionError naming the older WAL at its end, or, in 'point-in-time'
// mode, the end of replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CorruptionError, GraniteDB, type WalRecoveryMode } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { writeMemFile } from '../../src/testing/index.js';
import { recordsOf } from './wal-frames.js';

const DIR = '/db';
const OPTS = { backgroundThreads: 0, memtableSize: 1 << 20 };
const key = (i: number): string => `key${i}`;

/** A database whose WAL holds `n` synced puts, closed without a flush. */
async function image(n: number): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, { ...OPTS, fileSystem: fs });
  for (let i = 0; i < n; i++) await db.put(key(i), `v${i}`, { sync: true });
  await db.close();
  return fs;
}

const wal = (fs: MemoryFileSystem): string => fs.list(DIR).find((n) => n.endsWith('.log'))!;

/** Six puts in the older WAL, puts 6 and 7 in a newer WAL (as a rotation leaves them); the older WAL cut to
 *  its first `keep` records (all six: undamaged). */
async function walPair(keep: number): Promise<{ fs: MemoryFileSystem; older: string; cutAt: number }> {
  const fs = await image(6);
  const all = await image(8);
  const allBytes = all.readFile(join(DIR, wal(all)));
  writeMemFile(fs, join(DIR, '000900.log'), allBytes.subarray(recordsOf(allBytes)[6]!.offset));
  const older = wal(fs);
  const bytes = fs.readFile(join(DIR, older));
  const recs = recordsOf(bytes);
  assert.equal(recs.length, 6);
  const cutAt = keep === 6 ? bytes.length : recs[keep]!.offset;
  writeMemFile(fs, join(DIR, older), bytes.subarray(0, cutAt));
  return { fs, older, cutAt };
}

async function keysAfterOpen(fs: MemoryFileSystem, mode: WalRecoveryMode): Promise<string[]> {
  const db = await GraniteDB.open(DIR, { ...OPTS, fileSystem: fs, walRecoveryMode: mode });
  try {
    return [...db.iterator({ values: false })].map(([k]) => k!.toString()).sort();
  } finally {
    await db.close();
  }
}

const sorted = (n: number): string[] => Array.from({ length: n }, (_, i) => key(i)).sort();

test('older WAL and newer WAL, undamaged: every write replays in every mode', async () => {
  for (const mode of ['tolerate-corrupted-tail', 'absolute-consistency', 'point-in-time'] as const) {
    const { fs } = await walPair(6);
    assert.deepEqual(await keysAfterOpen(fs, mode), sorted(8), mode);
  }
});

for (const keep of [0, 1, 4, 5]) {
  for (const mode of ['tolerate-corrupted-tail', 'absolute-consistency'] as const) {
    test(`corruption wal-pair cut at a record boundary (${keep} of 6 records kept), ${mode}: CorruptionError at the older WAL's end, nothing lost silently`, async () => {
      const { fs, older, cutAt } = await walPair(keep);
      await assert.rejects(
        GraniteDB.open(DIR, { ...OPTS, fileSystem: fs, walRecoveryMode: mode }),
        (err: unknown) => {
          assert.ok(err instanceof CorruptionError, String(err));
          assert.equal(err.file, older);
          assert.equal(err.offset, cutAt);
          assert.match(err.message, /sequence numbers jump/);
          return true;
        },
      );
      // Nothing changed on disk: the damage is still there for the next open to report.
      await assert.rejects(
        GraniteDB.open(DIR, { ...OPTS, fileSystem: fs, walRecoveryMode: mode }),
        CorruptionError,
      );
    });
  }

  test(`corruption wal-pair cut at a record boundary (${keep} of 6 records kept), point-in-time: replay stops at the gap (a prefix)`, async () => {
    const { fs } = await walPair(keep);
    assert.deepEqual(await keysAfterOpen(fs, 'point-in-time'), sorted(keep));
  });
}
