// Regression test for a bug the I/O error sweep found (/work/bugs.md "I/O errors: a flush installed after a
// failed MANIFEST write makes the failed edit durable and deletes its tables"): a compaction's MANIFEST sync
// fails, but a flush already in flight appends its own edit behind it and syncs — making the failed
// compaction edit durable although memory never applied it — and its obsolete-file sweep then deletes the
// compaction's outputs (not in the in-memory version). The next open fails: "table file referenced by the
// MANIFEST is missing". Now a failed MANIFEST write fails every later edit (VersionSet), so nothing is
// written or deleted after it. The interleaving is forced with gates on chosen syncs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FaultInjectingFileSystem,
  type FileLockHandle,
  type FileSystem,
  type RandomAccessFile,
  type WritableFile,
} from '../../../src/fs/index.js';
import { GraniteDB, IOError } from '../../../src/index.js';
import { orphanProblems } from '../../../src/testing/index.js';
import { baseWithDir } from '../common/fault-sweep.js';
import { DIR, faultOptions } from '../common/fault-workload.js';

interface Gate {
  /** Resolves when a matching sync arrived and is held. */
  reached: Promise<void>;
  /** Lets the held sync go on, or fail with `err`. */
  release(err?: Error): void;
}

/** A FileSystem over another that can hold the next sync() of a matching file until released. */
class GatedFileSystem implements FileSystem {
  readonly #inner: FileSystem;
  #gates: {
    test: (path: string) => boolean;
    skip: number;
    hit: () => void;
    released: Promise<Error | undefined>;
  }[] = [];
  constructor(inner: FileSystem) {
    this.#inner = inner;
  }
  /** Holds the (skip + 1)-th sync from now of a file whose path passes `test`. */
  block(test: (path: string) => boolean, skip = 0): Gate {
    let hit!: () => void;
    let release!: (err?: Error) => void;
    const reached = new Promise<void>((r) => (hit = r));
    const released = new Promise<Error | undefined>((r) => (release = r));
    this.#gates.push({ test, skip, hit, released });
    return { reached, release };
  }
  #wrap(f: WritableFile, path: string): WritableFile {
    const sync = async (): Promise<void> => {
      const g = this.#gates.find((x) => x.test(path));
      if (g !== undefined && g.skip-- === 0) {
        this.#gates = this.#gates.filter((x) => x !== g);
        g.hit();
        const err = await g.released;
        if (err !== undefined) throw err;
      }
      return f.sync();
    };
    return {
      append: (d) => f.append(d),
      sync,
      syncSync: () => f.syncSync(),
      get size() {
        return f.size;
      },
      close: () => f.close(),
    };
  }
  create(path: string): WritableFile {
    return this.#wrap(this.#inner.create(path), path);
  }
  openAppend(path: string): WritableFile {
    return this.#wrap(this.#inner.openAppend(path), path);
  }
  openRead(path: string): RandomAccessFile {
    return this.#inner.openRead(path);
  }
  readFile(path: string): Buffer {
    return this.#inner.readFile(path);
  }
  exists(path: string): boolean {
    return this.#inner.exists(path);
  }
  size(path: string): number {
    return this.#inner.size(path);
  }
  list(dir: string): string[] {
    return this.#inner.list(dir);
  }
  mkdir(dir: string): void {
    this.#inner.mkdir(dir);
  }
  rename(from: string, to: string): void {
    this.#inner.rename(from, to);
  }
  unlink(path: string): void {
    this.#inner.unlink(path);
  }
  rmdir(dir: string): void {
    this.#inner.rmdir(dir);
  }
  syncDir(dir: string): Promise<void> {
    return this.#inner.syncDir(dir);
  }
  lock(path: string): FileLockHandle {
    return this.#inner.lock(path);
  }
}

const isTable = (p: string): boolean => p.endsWith('.sst');
const isManifest = (p: string): boolean => p.includes('/MANIFEST-');

test('a MANIFEST sync that fails under a compaction, with a flush in flight, leaves a database that reopens with every write', async () => {
  const faulty = new FaultInjectingFileSystem(baseWithDir());
  const fs = new GatedFileSystem(faulty);
  // Only flush() rotates (1 MiB memtable); the L0 trigger of 2 starts a compaction at the second table.
  const opts = faultOptions('leveled', { memtableSize: 1 << 20, fileSystem: fs });
  const db = await GraniteDB.open(DIR, opts);
  const model = new Map<string, string>();
  const fill = async (round: number): Promise<void> => {
    for (let i = 0; i < 60; i++) {
      const k = `k${String((i * 7 + round) % 90).padStart(3, '0')}`;
      const v = `r${round}.${i}`.padEnd(50, '.');
      await db.put(k, v, { sync: true });
      model.set(k, v);
    }
  };
  let flushError: unknown;
  try {
    await fill(0);
    await db.flush(); // L0: 1 table
    await fill(1);
    // The second flush's table is the next table synced; the compaction it starts writes the one after.
    const compactionOutput = fs.block(isTable, 1);
    await db.flush();
    await compactionOutput.reached;
    assert.equal(db.stats().compacting, true, 'the compaction is running, held at its output sync');
    await fill(2);
    const flushTable = fs.block(isTable);
    const flushing = db.flush().catch((e: unknown) => (flushError = e)); // rotation edit, then the table
    await flushTable.reached;
    const compactionEdit = fs.block(isManifest);
    compactionOutput.release();
    await compactionEdit.reached; // the compaction's edit is appended; its sync is held
    flushTable.release();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); // the flush queues its edit
    compactionEdit.release(Object.assign(new Error('EIO: injected MANIFEST sync failure'), { code: 'EIO' }));
    await flushing;
  } finally {
    await db.close();
  }
  assert.ok(flushError instanceof IOError, `flush rejected with ${String(flushError)}`);
  assert.equal(flushError.errno, 'EIO');

  // Both what the process left (keep-unsynced) and what a power loss leaves must open with every write.
  for (const mode of ['keep-unsynced', 'drop-unsynced'] as const) {
    const image = faulty.crash(mode);
    const again = await GraniteDB.open(DIR, { ...opts, fileSystem: image });
    try {
      const got = new Map([...again.iterator()].map(([k, v]) => [k!.toString(), v!.toString()]));
      assert.deepEqual(got, model, mode);
      await again.waitForCompaction();
      assert.deepEqual(orphanProblems(image.list(DIR), again.stats()), [], mode);
    } finally {
      await again.close();
    }
  }
});
