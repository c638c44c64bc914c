// Flush: writes a frozen memtable to a new L0 table file. Versions not visible to any reader are dropped:
// walking a key's versions newest first, an older version is kept only while the version above it is newer
// than the oldest snapshot (LevelDB's rule). Deletions are kept: older tables may hold what they hide.
// The file is synced and its directory synced before the function returns; publishing it in the MANIFEST is
// the caller's job. On failure the partial file is removed.
import type { FileSystem } from '../fs/file-system.js';
import { tableFileName } from '../format/filenames.js';
import { Kind } from '../format/keys.js';
import type { Memtable } from '../memtable/memtable.js';
import { forEachSharedBatch, type SharedBatches } from '../memtable/shared-batches.js';
import { batchCount, visitBatch } from '../batch/batch-reader.js';
import { binaryString } from '../util/bytes.js';
import { TableBuilder, type TableBuilderOptions } from '../sstable/table-builder.js';
import { fileMetaOf, type FileMeta } from '../version/file-meta.js';
import { handOverTable, type TableHandover } from './table-handover.js';

/** A flushed table: its metadata, and its parsed index and filter for the thread that will read it (ADR 0014;
 *  undefined when they could not be passed on: the table then opens from its file). */
export interface FlushedTable {
  meta: FileMeta;
  table: TableHandover | undefined;
}

const EMPTY = Buffer.alloc(0);
/** Keys between event-loop yields (in-process flush). */
const YIELD_EVERY = 4096;

/** Receives the flush's entries in internal-key order (TableBuilder.add's signature). */
interface EntrySink {
  add(key: string, trailer: number, value: Uint8Array, vOff: number, vLen: number): void;
}

/**
 * Feeds the versions of `mem` that survive the flush to `sink`, in order. `every()` is called after every
 * `everyKeys` keys and awaited when it returns a promise (the caller yields to the event loop).
 */
async function forEachSurvivor(
  mem: Memtable,
  oldestSnapshot: number,
  sink: EntrySink,
  every: (() => Promise<void> | undefined) | undefined,
  everyKeys: number,
): Promise<void> {
  const ids = mem.sortedKeyIds();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const key = mem.keyString(id);
    let above = Infinity;
    for (let e = mem.keyHead(id); e >= 0; e = mem.older(e)) {
      if (above <= oldestSnapshot) break;
      const seq = mem.entrySeq(e);
      if (mem.entryIsDeletion(e)) sink.add(key, seq * 256 + Kind.Delete, EMPTY, 0, 0);
      else
        sink.add(
          key,
          seq * 256 + Kind.Value,
          mem.entryValueSlab(e),
          mem.entryValueOffset(e),
          mem.entryValueLength(e),
        );
      above = seq;
    }
    if (every !== undefined && i % everyKeys === everyKeys - 1) {
      const p = every();
      if (p !== undefined) await p;
    }
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Writes `mem` as the L0 table `fileNum` (the flush worker, recovery, injected file systems, backgroundThreads
 * 0); with `yieldWhileWriting` it yields to the event loop every 4096 keys.
 */
export function writeLevel0Table(
  mem: Memtable,
  fileNum: number,
  dir: string,
  fs: FileSystem,
  opts: TableBuilderOptions,
  oldestSnapshot: number,
  yieldWhileWriting: boolean,
): Promise<FlushedTable> {
  return writeTable(fileNum, dir, fs, { ...opts, expectedKeys: mem.keyCount }, (b) =>
    forEachSurvivor(mem, oldestSnapshot, b, yieldWhileWriting ? yieldToEventLoop : undefined, YIELD_EVERY),
  );
}

/**
 * Writes the L0 table `fileNum` straight from the batches of an append-only memtable (`batches.inKeyOrder`, ADR
 * 0016): their records are its entries in key order, one version per key, and a key's only version always
 * survives a flush, so no memtable is rebuilt and nothing is sorted. The table is the one writeLevel0Table
 * writes for that memtable.
 */
export function writeLevel0TableInKeyOrder(
  batches: SharedBatches,
  fileNum: number,
  dir: string,
  fs: FileSystem,
  opts: TableBuilderOptions,
): Promise<FlushedTable> {
  if (!batches.inKeyOrder) throw new Error('writeLevel0TableInKeyOrder: batches not in key order');
  let keys = 0; // one record per key
  forEachSharedBatch(batches, (rep) => {
    keys += batchCount(rep);
  });
  return writeTable(fileNum, dir, fs, { ...opts, expectedKeys: keys }, (b) => {
    let i = 0;
    forEachSharedBatch(batches, (rep, first) => {
      let seq = first;
      // A record that does not parse is a bug in this process (the batch was checked when it was written).
      visitBatch(rep, rep.length, 'flushed memtable', i++, (kind, kStart, kEnd, vStart, vEnd) => {
        const key = binaryString(rep, kStart, kEnd);
        if (kind === Kind.Value) b.add(key, seq * 256 + Kind.Value, rep, vStart, vEnd - vStart);
        else b.add(key, seq * 256 + Kind.Delete, EMPTY, 0, 0);
        seq++;
      });
    });
  });
}

/** Creates the table, lets `fill` add its entries, finishes and syncs it and its directory; removes the
 *  partial file on failure. The builder's working buffers go back to util/scratch.ts either way. */
async function writeTable(
  fileNum: number,
  dir: string,
  fs: FileSystem,
  opts: TableBuilderOptions,
  fill: (b: TableBuilder) => Promise<void> | void,
): Promise<FlushedTable> {
  const name = tableFileName(fileNum);
  const path = `${dir}/${name}`;
  const file = fs.create(path);
  let b: TableBuilder | undefined;
  try {
    b = new TableBuilder(file, opts);
    await fill(b);
    const p = b.finish();
    const table = handOverTable(fileNum, b.written, p.fileSize, name);
    b.release();
    b = undefined;
    await file.sync();
    file.close();
    await fs.syncDir(dir);
    return { meta: fileMetaOf(fileNum, p), table };
  } catch (err) {
    b?.release();
    try {
      file.close();
    } catch {
      // already closed
    }
    try {
      fs.unlink(path);
    } catch {
      // never created or already gone
    }
    throw err;
  }
}
