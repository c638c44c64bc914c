// Regression tests for a bug the I/O error sweep found (/work/bugs.md "I/O errors: compactRange rejects with
// an untyped error, and its failure is not sticky"): with an in-process compaction, compactRange rejected with
// the file system's raw Error (code 'EIO', not a GraniteError), and later writes went on although the failed
// compaction may have left its edit in the MANIFEST. Now it rejects with the sticky IO error, like a failed
// background compaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjectingFileSystem, type FsCall } from '../../../src/fs/index.js';
import { GraniteDB, IOError } from '../../../src/index.js';
import { baseWithDir } from '../common/fault-sweep.js';
import { DIR, faultOptions } from '../common/fault-workload.js';

/** Automatic compaction off, so only compactRange compacts. */
const OPTS = faultOptions('leveled', {
  memtableSize: 1 << 20,
  level0CompactionTrigger: 1000,
  level0SlowdownTrigger: 1000,
  level0StopTrigger: 1000,
});
const key = (t: number, i: number): string => `k${String(i * 2 + t).padStart(4, '0')}`;

/** Two overlapping L0 tables of synced puts; returns the model. */
async function fill(db: GraniteDB): Promise<Map<string, string>> {
  const model = new Map<string, string>();
  for (let t = 0; t < 2; t++) {
    for (let i = 0; i < 100; i++) {
      const v = `v${t}.${i}`.padEnd(60, '.');
      await db.put(key(t, i), v, { sync: true });
      model.set(key(t, i), v);
    }
    await db.flush();
  }
  return model;
}

/** The calls of an unfaulted compactRange after fill(), numbered as in a fresh run. */
async function compactionCalls(): Promise<FsCall[]> {
  const fs = new FaultInjectingFileSystem(baseWithDir());
  const db = await GraniteDB.open(DIR, { ...OPTS, fileSystem: fs });
  await fill(db);
  const start = fs.callCount;
  await db.compactRange();
  await db.close();
  return fs.calls.filter((c) => c.n > start);
}

const CASES: [string, (calls: FsCall[]) => FsCall | undefined][] = [
  [
    'the create of its first output',
    (calls) => calls.find((c) => c.op === 'create' && c.path.endsWith('.sst')),
  ],
  [
    'the MANIFEST append of its edit',
    (calls) => calls.find((c) => c.op === 'append' && c.path.includes('MANIFEST')),
  ],
];

for (const [what, pick] of CASES) {
  test(`compactRange failing on EIO at ${what} rejects with a typed IO error that stays sticky`, async () => {
    const call = pick(await compactionCalls());
    assert.ok(call !== undefined, `${what}: no such call`);
    const fs = new FaultInjectingFileSystem(baseWithDir(), { failAt: call.n });
    const db = await GraniteDB.open(DIR, { ...OPTS, fileSystem: fs });
    let model: Map<string, string>;
    try {
      model = await fill(db);
      assert.ok(fs.callCount < call.n, 'the fault lies inside compactRange');
      const err = await db.compactRange().then(
        () => assert.fail('compactRange resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError, `compactRange rejected with ${String(err)}`);
      assert.equal(err.code, 'IO');
      assert.equal(err.errno, 'EIO');
      await assert.rejects(db.put('after', 'x'), (e: unknown) => e === err);
      await assert.rejects(db.flush(), (e: unknown) => e === err);
      for (const [k, v] of model) assert.equal((await db.get(k))?.toString(), v, k);
    } finally {
      await db.close();
    }
    // Every synced write survives a power loss right after the failure; the reopened database compacts.
    const image = fs.crash('drop-unsynced');
    const again = await GraniteDB.open(DIR, { ...OPTS, fileSystem: image });
    try {
      await again.compactRange();
      const got = new Map([...again.iterator()].map(([k, v]) => [k!.toString(), v!.toString()]));
      assert.deepEqual(got, model);
    } finally {
      await again.close();
    }
  });
}
