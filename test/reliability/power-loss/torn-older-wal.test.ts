// Regression tests for a bug the power-loss sweep found (/work/bugs.md "power loss: torn tail of an older WAL
// followed by an empty WAL"): a new WAL is created before the older WAL's tail is durable — by a rotation
// (create N+1, then fsync N) and by recovery (create the new WAL, then the new MANIFEST makes the replayed
// WALs obsolete). A power loss there can keep the new, empty WAL's directory entry and tear the older WAL's
// unsynced tail; recovery then called the torn tail "of an older log" CORRUPTION and the database would not
// open. A torn tail is now allowed in the last WAL holding bytes. Deterministic: call numbers come from a dry
// run of the same steps, the tear is chosen exactly (tornLengths, every directory change kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjectingFileSystem, type FsCall } from '../../../src/fs/index.js';
import { GraniteDB } from '../../../src/index.js';
import { baseWithDir } from '../common/fault-sweep.js';
import { DIR, faultOptions } from '../common/fault-workload.js';

const OPTS = faultOptions('leveled', { memtableSize: 4096 });
const N = 60;
const key = (i: number): string => `k${String(i).padStart(3, '0')}`;
const value = (i: number): string => `v${i}-`.padEnd(100, 'x');

/** One sync put, then N puts without sync; in 'recovery' mode the database is then closed and reopened. */
async function steps(fs: FaultInjectingFileSystem, mode: 'rotation' | 'recovery'): Promise<void> {
  const db = await GraniteDB.open(DIR, { ...OPTS, fileSystem: fs });
  try {
    await db.put(key(0), value(0), { sync: true });
    for (let i = 1; i <= N && !fs.stopped; i++) await db.put(key(i), value(i));
  } catch {
    // the crash: every call after crashAt fails
  } finally {
    await db.close();
  }
  if (mode === 'recovery' && !fs.stopped) {
    await GraniteDB.open(DIR, { ...OPTS, fileSystem: fs })
      .then((d) => d.close())
      .catch(() => undefined);
  }
}

/** The call that creates a WAL other than the first, from a dry run (rotation: the first such create;
 *  recovery: the last, the one the reopen makes). */
async function walCreate(mode: 'rotation' | 'recovery'): Promise<FsCall> {
  const fs = new FaultInjectingFileSystem(baseWithDir());
  await steps(fs, mode);
  const creates = fs.calls.filter((c) => c.op === 'create' && c.path.endsWith('.log')).slice(1);
  const c = mode === 'rotation' ? creates[0] : creates.at(-1);
  assert.ok(c !== undefined, `no second WAL in the dry run: ${fs.calls.map((x) => x.op).join(' ')}`);
  return c;
}

for (const mode of ['rotation', 'recovery'] as const) {
  test(`a torn tail in a WAL followed only by empty WALs is a torn tail, not corruption (power loss after ${mode} created the new WAL)`, async () => {
    const at = await walCreate(mode);
    const fs = new FaultInjectingFileSystem(baseWithDir(), { crashAt: at.n });
    await steps(fs, mode);
    assert.ok(fs.stopped, 'the run reached the crash point');
    const older = fs.base
      .list(DIR)
      .filter((n) => n.endsWith('.log') && `${DIR}/${n}` !== at.path)
      .sort()
      .at(-1)!;
    const path = `${DIR}/${older}`;
    const durable = fs.crash('drop-unsynced').readFile(path).length;
    const written = fs.base.readFile(path).length;
    assert.ok(written - durable > 200, `${older} has an unsynced tail (${durable}..${written})`);
    for (let cut = durable + 1; cut < written; cut += 97) {
      const image = fs.crash('tear', { keepDirOps: 1 << 30, tornLengths: { [path]: cut } });
      assert.equal(image.size(at.path), 0, 'the new WAL survived, empty');
      const db = await GraniteDB.open(DIR, { ...OPTS, fileSystem: image });
      try {
        // Every key up to some i is there (a prefix of the puts), and the sync put always.
        const got = [...db.iterator({ values: false })].map(([k]) => k!.toString());
        assert.ok(got.length >= 1, `cut ${cut}: the sync put survived`);
        assert.deepEqual(
          got,
          Array.from({ length: got.length }, (_, i) => key(i)),
          `cut ${cut}: a prefix`,
        );
        for (const k of got) assert.equal((await db.get(k))?.toString(), value(Number(k.slice(1))));
      } finally {
        await db.close();
      }
    }
  });
}
