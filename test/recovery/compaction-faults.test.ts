// Damage and I/O errors met by a background compaction (STYLE.md "Errors": background errors are sticky).
// (1) A flipped byte in a data block of a compaction input: the compaction fails, waitForCompaction and every
//     later write reject with CORRUPTION naming the table, reads that do not need the damaged block still
//     work, and once the byte is restored a reopen compacts and reads everything. In-process
//     (MemoryFileSystem) and in a worker thread (real directory: the error crosses the thread as JSON).
// (2) An injected EIO (FaultInjectingFileSystem failAt) on a chosen write or sync of a compaction: the
//     writes that follow reject with IO; the crash image ('drop-unsynced') reopens with every synced write
//     and no orphan files. Call numbers come from a dry run of the same deterministic workload.
// (3) A flipped byte in a table of a tree built with compaction constantly active (several levels, or
//     tiered runs): gets give the right value or CORRUPTION naming the table, and a full scan meets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptionError, GraniteDB, type Options } from '../../src/index.js';
import {
  FaultInjectingFileSystem,
  MemoryFileSystem,
  type FileSystem,
  type FsCall,
} from '../../src/fs/index.js';
import {
  compactionOptions,
  copyMemoryFs,
  flipByte,
  makeTempDir,
  orphanProblems,
  removeDir,
  writeMemFile,
} from '../../src/testing/index.js';

const DIR = '/db';
/** Triggers out of reach: tables stay as flushed until a test turns compaction on. */
const NO_COMPACTION = {
  level0CompactionTrigger: 1000,
  level0SlowdownTrigger: 1000,
  level0StopTrigger: 1000,
  seekCompaction: false,
};
/** Keys of tables t interleave (t0 even, t1 odd, ...), so tables overlap and compaction cannot just move them. */
const key = (t: number, i: number): string => `k${String(i * 4 + t).padStart(5, '0')}`;
const value = (t: number, i: number): string =>
  `v${t}.${i}-`.padEnd(40 + (i % 30), String.fromCharCode(97 + t));

/** Writes `n` keys of table `t` (all synced) and flushes them into one L0 table. Returns the flush's error:
 *  an in-process compaction started by the flush can fail before flush() returns, and flush() then rejects
 *  with that (sticky) error although the table itself was written. */
async function fillTable(db: GraniteDB, t: number, n: number, model: Map<string, string>): Promise<unknown> {
  for (let i = 0; i < n; i++) {
    await db.put(key(t, i), value(t, i), { sync: true });
    model.set(key(t, i), value(t, i));
  }
  return db.flush().then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function assertModel(db: GraniteDB, model: Map<string, string>, where: string): Promise<void> {
  for (const [k, v] of model) assert.equal((await db.get(k))?.toString(), v, `${where}: ${k}`);
  const keys = [...db.iterator({ values: false })].map(([k]) => k!.toString());
  assert.deepEqual(keys, [...model.keys()].sort(), `${where}: scan`);
}

// ------------------------------------------------------------------ (1) a damaged compaction input

interface Store {
  options: Partial<Options>;
  read: (name: string) => Buffer;
  write: (name: string, b: Buffer) => void;
  list: () => string[];
  dir: string;
  cleanup: () => void;
}

function memoryStore(): Store {
  const fs = new MemoryFileSystem();
  return {
    options: { fileSystem: fs },
    read: (n) => Buffer.from(fs.readFile(join(DIR, n))),
    write: (n, b) => writeMemFile(fs, join(DIR, n), b),
    list: () => fs.list(DIR),
    dir: DIR,
    cleanup: () => {},
  };
}
function diskStore(): Store {
  const dir = makeTempDir('granite-compaction-damage-');
  return {
    options: { backgroundThreads: 1 },
    read: (n) => readFileSync(join(dir, n)),
    write: (n, b) => writeFileSync(join(dir, n), b),
    list: () => readdirSync(dir),
    dir,
    cleanup: () => removeDir(dir),
  };
}

for (const [name, makeStore] of [
  ['in-process (MemoryFileSystem)', memoryStore],
  ['worker thread (real directory)', diskStore],
] as const) {
  test(`compaction over a table with a flipped data-block byte fails with a sticky CORRUPTION (${name})`, async () => {
    const store = makeStore();
    const opts = compactionOptions('leveled', { memtableSize: 1 << 20, ...store.options });
    try {
      // Two tables: t0 (older, will be damaged), then t1 after the trigger is armed.
      const model = new Map<string, string>();
      let db = await GraniteDB.open(store.dir, { ...opts, ...NO_COMPACTION });
      assert.equal(await fillTable(db, 0, 200, model), undefined);
      await db.close();
      const tables = store.list().filter((n) => n.endsWith('.sst'));
      assert.equal(tables.length, 1);
      const damagedTable = tables[0]!;
      const original = store.read(damagedTable);
      // Byte 20 lies in the first data block (blocks start at offset 0; blockSize 256): keys t0/0000...
      if (store.dir === DIR) {
        const b = Buffer.from(original);
        b[20]! ^= 0x5a;
        store.write(damagedTable, b);
      } else {
        flipByte(join(store.dir, damagedTable), 20);
      }

      // Compaction on (L0 trigger 2): the second flush starts an L0->L1 compaction that reads the damage.
      db = await GraniteDB.open(store.dir, opts);
      const t1 = new Map<string, string>();
      const flushErr = await fillTable(db, 1, 100, t1);
      const err = await db.waitForCompaction().then(
        () => assert.fail('waitForCompaction resolved over a damaged input'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof CorruptionError, `got ${String(err)}`);
      assert.equal(err.code, 'CORRUPTION');
      assert.equal(err.file, damagedTable, err.message);
      assert.ok(err.offset >= 0 && err.offset < 256, `offset ${err.offset}: ${err.message}`);
      assert.ok(flushErr === undefined || flushErr === err, `flush: ${String(flushErr)}`);
      assert.match(db.stats().backgroundError ?? '', new RegExp(damagedTable.replace('.', '\\.')));

      // Sticky: every later write rejects with the same cause, also writes that would not touch the table.
      for (const write of [
        () => db.put('new', 'x'),
        () => db.delete(key(1, 3)),
        () => db.flush(),
        () => db.compactRange(),
      ]) {
        await assert.rejects(write(), (e: unknown) => {
          assert.ok(e instanceof CorruptionError, `got ${String(e)}`);
          assert.equal(e.file, damagedTable);
          return true;
        });
      }
      // Reads that do not need the damaged block still work: all of t1, and t0's keys past the first block.
      for (const [k, v] of t1) assert.equal((await db.get(k))?.toString(), v, k);
      for (let i = 150; i < 200; i++) assert.equal((await db.get(key(0, i)))?.toString(), value(0, i));
      await assert.rejects(db.get(key(0, 0)), { code: 'CORRUPTION' });
      await db.close();

      // Repair (restore the byte): a reopen compacts everything and reads every key.
      store.write(damagedTable, original);
      db = await GraniteDB.open(store.dir, opts);
      await db.waitForCompaction();
      for (const [k, v] of t1) model.set(k, v);
      await assertModel(db, model, 'after repair');
      assert.ok(db.stats().counters.compactions > 0, 'the repaired tree compacted');
      assert.deepEqual(orphanProblems(store.list(), db.stats()), [], 'orphans after repair');
      await db.close();
    } finally {
      store.cleanup();
    }
  });
}

// ------------------------------------------------------------------ (2) I/O errors inside a compaction

const FAULT_OPTS = compactionOptions('leveled', { memtableSize: 1 << 20, targetFileSize: 4096 });

/** The deterministic workload: t0 flushed with compaction off; reopened with it on; t1 flushed (starting an
 *  L0->L1 compaction of ~3 outputs); then t2 written. Returns the keys whose put resolved. */
async function workload(
  fs: FileSystem,
  model: Map<string, string>,
  onTrigger?: () => void,
): Promise<unknown> {
  let db = await GraniteDB.open(DIR, { ...FAULT_OPTS, ...NO_COMPACTION, fileSystem: fs });
  assert.equal(await fillTable(db, 0, 120, model), undefined);
  await db.close();
  db = await GraniteDB.open(DIR, { ...FAULT_OPTS, fileSystem: fs });
  try {
    onTrigger?.();
    const flushed = await fillTable(db, 1, 120, model);
    const waited = await db.waitForCompaction().then(
      () => undefined,
      (e: unknown) => e,
    );
    // The write that follows: must reject when the compaction failed.
    const after = await db.put('after', 'x', { sync: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (after === undefined) model.set('after', 'x');
    return flushed ?? waited ?? after;
  } finally {
    await db.close();
  }
}

/** A MemoryFileSystem holding an empty DIR: made before the fault layer wraps it, so the directory itself is
 *  durable and only the database's own files are subject to the crash. */
function baseWithDir(): MemoryFileSystem {
  const base = new MemoryFileSystem();
  base.mkdir(DIR);
  return base;
}

/** Calls of one compaction, from a dry run: the .sst files created after the trigger's flush. */
async function compactionCalls(): Promise<{ start: number; calls: FsCall[] }> {
  const fs = new FaultInjectingFileSystem(baseWithDir());
  let start = 0;
  const model = new Map<string, string>();
  const err = await workload(fs, model, () => (start = fs.callCount));
  assert.equal(err, undefined, 'the dry run has no errors');
  const calls = fs.calls.filter((c) => c.n > start);
  return { start, calls };
}

interface DryRun {
  calls: FsCall[];
  /** Compaction output paths, in creation order. */
  outputs: string[];
  /** Index in `calls` of the first call on the first output. */
  firstOut: number;
}
const dryRunPromise: Promise<DryRun> = compactionCalls().then(({ calls }) => {
  const created = calls.filter((c) => c.op === 'create' && c.path.endsWith('.sst')).map((c) => c.path);
  // The first .sst created after the trigger is t1's flush; the rest are compaction outputs.
  const outputs = created.slice(1);
  assert.ok(outputs.length >= 2, `compaction outputs in the dry run: ${created.join(' ')}`);
  return { calls, outputs, firstOut: calls.findIndex((c) => c.path === outputs[0]) };
});

function callOf(d: DryRun, what: string, match: (c: FsCall, i: number) => boolean): FsCall {
  const c = d.calls.find(match);
  assert.ok(c !== undefined, `${what}: no such call in the dry run`);
  return c;
}

/** Fails `call` once with EIO and checks the outcome (see the file header). */
async function checkFault(what: string, call: FsCall): Promise<void> {
  const fs = new FaultInjectingFileSystem(baseWithDir(), { failAt: call.n });
  const model = new Map<string, string>();
  const err = await workload(fs, model);
  const where = `${what} (call ${call.n}: ${call.op} ${call.path})`;
  assert.ok(err instanceof Error, `${where}: an error`);
  assert.equal((err as { code?: string }).code, 'IO', `${where}: ${String(err)}`);
  assert.equal(model.has('after'), false, `${where}: the write after the failure rejected`);

  // The crash image: every synced write is there, nothing is orphaned, and it compacts and reopens.
  const image = fs.crash('drop-unsynced');
  let db = await GraniteDB.open(DIR, { ...FAULT_OPTS, ...NO_COMPACTION, fileSystem: image });
  try {
    assert.deepEqual(orphanProblems(image.list(DIR), db.stats()), [], `${where}: orphans after reopen`);
    await assertModel(db, model, `${where}: crash image`);
    await db.close();
    db = await GraniteDB.open(DIR, { ...FAULT_OPTS, fileSystem: image });
    await db.waitForCompaction();
    assert.ok(db.stats().counters.compactions > 0, `${where}: the crash image compacts`);
    await assertModel(db, model, `${where}: crash image, compacted`);
    assert.deepEqual(orphanProblems(image.list(DIR), db.stats()), [], `${where}: orphans after compaction`);
  } finally {
    await db.close();
  }
  // The live file system (a clean restart rather than a crash) reopens the same way.
  db = await GraniteDB.open(DIR, { ...FAULT_OPTS, fileSystem: fs.base });
  try {
    await db.waitForCompaction();
    await assertModel(db, model, `${where}: live file system`);
    assert.deepEqual(orphanProblems(fs.base.list(DIR), db.stats()), [], `${where}: orphans (live)`);
  } finally {
    await db.close();
  }
}

test('the dry run: the trigger flush starts one L0->L1 compaction with several outputs and no error', async () => {
  const d = await dryRunPromise;
  assert.ok(d.outputs.length >= 2 && d.firstOut > 0);
});

const OUTPUT_FAULTS: [string, (d: DryRun) => FsCall][] = [
  [
    'create of the first output',
    (d) => callOf(d, 'create', (c) => c.op === 'create' && c.path === d.outputs[0]),
  ],
  [
    'first append to the first output',
    (d) => callOf(d, 'append', (c) => c.op === 'append' && c.path === d.outputs[0]),
  ],
  ['sync of the first output', (d) => callOf(d, 'sync', (c) => c.op === 'sync' && c.path === d.outputs[0])],
  [
    'append to the second output',
    (d) => callOf(d, 'append', (c) => c.op === 'append' && c.path === d.outputs[1]),
  ],
  [
    'sync of the last output',
    (d) => callOf(d, 'sync', (c) => c.op === 'sync' && c.path === d.outputs.at(-1)),
  ],
  [
    'directory sync after the outputs',
    (d) => callOf(d, 'syncDir', (c, i) => i > d.firstOut && c.op === 'syncDir'),
  ],
];

for (const [what, pick] of OUTPUT_FAULTS) {
  test(`EIO on the compaction's ${what}: later writes reject with IO; the crash image holds every synced write, no orphans`, async () => {
    await checkFault(what, pick(await dryRunPromise));
  });
}

// ------------------------------------------------------------------ (3) damage in a compacted tree

for (const style of ['leveled', 'tiered'] as const) {
  test(`a flipped byte in a table of a compacted tree (${style}): every read is the right value or CORRUPTION naming it`, async () => {
    const fs = new MemoryFileSystem();
    const opts = compactionOptions(style, { fileSystem: fs });
    let db = await GraniteDB.open(DIR, opts);
    const model = new Map<string, string>();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 300; i++) {
        const k = key(round % 2, (i * 37 + round) % 300);
        const v = `${value(round, i)}r${round}`;
        await db.put(k, v);
        model.set(k, v);
      }
    }
    await db.waitForCompaction();
    const deep = db.stats().levels.filter((l) => l.files > 0);
    assert.ok(db.stats().counters.compactions > 5, 'the tree was compacted');
    if (style === 'leveled')
      assert.ok(
        deep.some((l) => l.level >= 2),
        JSON.stringify(deep),
      );
    await db.close();
    const tables = fs
      .list(DIR)
      .filter((n) => n.endsWith('.sst'))
      .sort();
    for (const damaged of [tables[0]!, tables[tables.length - 1]!]) {
      const copy = copyMemoryFs(fs, DIR);
      const b = Buffer.from(copy.readFile(join(DIR, damaged)));
      b[10]! ^= 0x5a; // inside the first data block
      writeMemFile(copy, join(DIR, damaged), b);
      db = await GraniteDB.open(DIR, { ...opts, ...NO_COMPACTION, fileSystem: copy });
      let scanError: unknown;
      try {
        // Gets may never reach the damaged block (newer levels shadow its keys): right value or CORRUPTION.
        for (const [k, v] of model) {
          try {
            assert.equal(db.getSync(k)?.toString(), v, `${damaged}: ${k}`);
          } catch (err) {
            if (!(err instanceof CorruptionError)) throw err;
            assert.equal(err.file, damaged, err.message);
          }
        }
        // A full scan reads every block of every table, so it must meet the damage.
        try {
          for (const _ of db.iterator()) void _;
        } catch (err) {
          scanError = err;
        }
      } finally {
        await db.close();
      }
      assert.ok(scanError instanceof CorruptionError, `${damaged}: scan gave ${String(scanError)}`);
      assert.equal(scanError.file, damaged, scanError.message);
    }
  });
}

// Bug 3 in /work/bugs.md: the outputs of a compaction whose MANIFEST edit failed have numbers above the
// recovered nextFileNumber, and reopen keeps them (orphans).
test("EIO on the MANIFEST write of the compaction's edit: later writes reject with IO; synced writes kept, no orphans", async () => {
  const d = await dryRunPromise;
  const call = callOf(
    d,
    'MANIFEST append',
    (c, i) => i > d.firstOut && c.path.includes('MANIFEST-') && c.op === 'append',
  );
  await checkFault('MANIFEST write of the compaction edit', call);
});
