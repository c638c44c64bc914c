// compactRange semantics (API.md): with no snapshot, compacting everything drops overwritten versions and
// deletions (stats droppedShadowed / droppedDeletions) and leaves smaller tables; a held snapshot keeps
// reading the values it saw, and so does an iterator opened before; a partial range leaves other keys alone.
// Leveled and tiered; in-process (MemoryFileSystem) and in a worker thread (real directory). The tree under
// test: version 1 of every key compacted into L1 (or one tiered run), then overwrites and deletions in L0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { GraniteDB, type Options } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import { compactionOptions, makeTempDir, orphanProblems, removeDir } from '../../src/testing/index.js';

const N = 600;
const key = (i: number): string => `k${String(i).padStart(4, '0')}`;
const value = (i: number, version: number): string => `v${version}.${i}-`.padEnd(60, 'x');
/** Keys [DEL_LO, DEL_HI) are deleted; odd keys are overwritten. */
const DEL_LO = 200;
const DEL_HI = 400;

interface Env {
  dir: string;
  options: Partial<Options>;
  list: () => string[];
  cleanup: () => void;
}
const ENVS: [string, () => Env][] = [
  [
    'in-process',
    () => {
      const fs = new MemoryFileSystem();
      return { dir: '/db', options: { fileSystem: fs }, list: () => fs.list('/db'), cleanup: () => {} };
    },
  ],
  [
    'worker thread',
    () => {
      const dir = makeTempDir('granite-compact-range-');
      return {
        dir,
        options: { backgroundThreads: 1 },
        list: () => readdirSync(dir),
        cleanup: () => removeDir(dir),
      };
    },
  ],
];

/** Version 1 of every key, compacted by the background (L0 trigger 2) into L1 (leveled) or one run
 *  (tiered); then the database is reopened with background compaction held off and returned. */
async function build(env: Env, style: 'leveled' | 'tiered'): Promise<GraniteDB> {
  const o = options(style, env);
  let db = await GraniteDB.open(env.dir, { ...o, level0CompactionTrigger: 2 });
  for (let i = 0; i < N; i++) {
    await db.put(key(i), value(i, 1));
    if (i % 150 === 149) await db.flush();
  }
  await db.flush();
  await db.waitForCompaction();
  assert.ok(db.stats().counters.compactions > 0, 'version 1 compacted');
  await db.close();
  db = await GraniteDB.open(env.dir, o);
  return db;
}
/** Version 2 of the odd keys and deletions of [DEL_LO, DEL_HI), flushed into L0 (nothing compacts them). */
async function overwrite(db: GraniteDB): Promise<void> {
  for (let i = 1; i < N; i += 2) await db.put(key(i), value(i, 2));
  for (let i = DEL_LO; i < DEL_HI; i++) await db.delete(key(i));
  await db.flush();
  assert.ok(db.stats().levels[0]!.files > 0);
}
function expected(i: number): string | undefined {
  if (i >= DEL_LO && i < DEL_HI) return undefined;
  return value(i, i % 2 === 1 ? 2 : 1);
}
async function assertCurrent(db: GraniteDB, where: string): Promise<void> {
  const got = new Map([...db.iterator()].map(([k, v]) => [k!.toString(), v!.toString()]));
  const want = new Map<string, string>();
  for (let i = 0; i < N; i++) {
    const v = expected(i);
    if (v !== undefined) want.set(key(i), v);
  }
  assert.deepEqual(got, want, where);
}
const tableBytes = (db: GraniteDB): number => db.stats().levels.reduce((a, l) => a + l.bytes, 0);
const tableFiles = (db: GraniteDB): number => db.stats().levels.reduce((a, l) => a + l.files, 0);

/** Compaction held off: triggers and level targets out of reach. */
function options(style: 'leveled' | 'tiered', env: Env): Partial<Options> {
  return compactionOptions(style, {
    ...env.options,
    memtableSize: 1 << 20,
    level0CompactionTrigger: 1000,
    level0SlowdownTrigger: 1000,
    level0StopTrigger: 1000,
    maxBytesForLevelBase: 1 << 30,
  });
}

for (const style of ['leveled', 'tiered'] as const) {
  for (const [envName, makeEnv] of ENVS) {
    test(`compactRange over everything, no snapshot, drops shadowed versions and deletions (${style}, ${envName})`, async () => {
      const env = makeEnv();
      const db = await build(env, style);
      try {
        await overwrite(db);
        const before = { bytes: tableBytes(db), files: tableFiles(db) };
        assert.equal(db.stats().counters.compactions, 0, 'nothing compacted before compactRange');
        await db.compactRange();
        const s = db.stats();
        assert.ok(s.counters.compactions > 0);
        assert.ok(s.counters.droppedShadowed >= N / 2, `droppedShadowed ${s.counters.droppedShadowed}`);
        assert.ok(s.counters.droppedDeletions > 0, `droppedDeletions ${s.counters.droppedDeletions}`);
        // Half the old versions and every deleted key (value and tombstone) are gone: far fewer bytes.
        const after = tableBytes(db);
        assert.ok(after < before.bytes * 0.75, `table bytes ${before.bytes} -> ${after}`);
        if (style === 'tiered') {
          assert.equal(s.levels[0]!.files, 1, 'one sorted run');
        } else {
          assert.equal(s.levels[0]!.files, 0, 'L0 emptied');
          assert.equal(s.levels.filter((l) => l.files > 0).length, 1, 'one level holds everything');
        }
        await assertCurrent(db, 'after compactRange');
        await db.waitForCompaction();
        assert.deepEqual(orphanProblems(env.list(), db.stats()), []);
        // A second compactRange finds nothing left to drop.
        const dropped = s.counters.droppedShadowed + s.counters.droppedDeletions;
        await db.compactRange();
        const s2 = db.stats().counters;
        assert.equal(s2.droppedShadowed + s2.droppedDeletions, dropped);
      } finally {
        await db.close();
        env.cleanup();
      }
    });

    test(`compactRange with a snapshot held: the snapshot still reads its values (${style}, ${envName})`, async () => {
      const env = makeEnv();
      const db = await build(env, style);
      try {
        const snap = db.snapshot();
        await overwrite(db);
        const it = db.iterator(); // opened before the compaction: a stable view of the current state
        await db.compactRange();
        const s = db.stats().counters;
        assert.ok(s.compactions > 0);
        assert.equal(s.droppedDeletions, 0, 'deletions newer than the snapshot are kept');
        assert.equal(s.droppedShadowed, 0, 'versions the snapshot reads are kept');
        for (let i = 0; i < N; i++)
          assert.equal(db.getSync(key(i), { snapshot: snap })?.toString(), value(i, 1), `snapshot ${key(i)}`);
        const scan = [...db.iterator({ snapshot: snap, values: false })].length;
        assert.equal(scan, N, 'snapshot scan');
        await assertCurrent(db, 'current view after compactRange');
        const viaIt = new Map([...it].map(([k, v]) => [k!.toString(), v!.toString()]));
        assert.equal(viaIt.size, N - (DEL_HI - DEL_LO), 'iterator opened before compactRange');
        it.close();
        // Released: whatever compacts from now on may drop them; the current view stays the same.
        snap.release();
        await db.put(key(0), value(0, 1)); // a new L0 table, so the next compactRange has work
        await db.compactRange();
        await assertCurrent(db, 'after release + compactRange');
      } finally {
        await db.close();
        env.cleanup();
      }
    });
  }
}

test('compactRange over part of the key space (leveled): deletions there are dropped, other keys untouched', async () => {
  const fs = new MemoryFileSystem();
  const env: Env = { dir: '/db', options: { fileSystem: fs }, list: () => fs.list('/db'), cleanup: () => {} };
  const db = await build(env, 'leveled');
  try {
    await overwrite(db);
    await db.compactRange(key(DEL_LO), key(DEL_HI - 1));
    const s = db.stats();
    assert.ok(s.counters.compactions > 0);
    assert.ok(s.counters.droppedDeletions > 0);
    await assertCurrent(db, 'after a partial compactRange');
    await db.close();
    const again = await GraniteDB.open('/db', { fileSystem: fs });
    await assertCurrent(again, 'after reopen');
    await again.close();
  } finally {
    await db.close();
  }
});

test('compactRange validates its bounds and is refused when closed', async () => {
  const db = await GraniteDB.open('/db', { fileSystem: new MemoryFileSystem() });
  await assert.rejects(db.compactRange(42 as unknown as string), { code: 'INVALID_ARGUMENT' });
  await db.close();
  await assert.rejects(db.compactRange(), { code: 'CLOSED' });
});

// Bug 4 in /work/bugs.md: with every table in L0, leveled compactRange compacted nothing.
test('compactRange (leveled) with every table in L0 compacts them into L1 and drops what no snapshot sees', async () => {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open('/db', { fileSystem: fs });
  try {
    for (let i = 0; i < 100; i++) await db.put(key(i), value(i, 1));
    await db.flush();
    for (let i = 0; i < 100; i++) await db.delete(key(i));
    await db.flush();
    assert.equal(db.stats().levels[0]!.files, 2);
    await db.compactRange();
    const s = db.stats();
    assert.ok(s.counters.compactions > 0, 'compacted');
    assert.equal(s.levels[0]!.files, 0, 'L0 emptied');
    assert.ok(s.counters.droppedDeletions > 0 && s.counters.droppedShadowed > 0, JSON.stringify(s.counters));
    assert.equal([...db.iterator()].length, 0);
  } finally {
    await db.close();
  }
});
