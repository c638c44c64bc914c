// The main-thread side of a background flush (ADR 0010): the frozen memtable's batches, in the order they
// were applied, are packed into ~1 MiB chunks and transferred to the flush worker, which rebuilds the
// memtable and writes the L0 table (../compaction/flush-run.ts). The main thread only copies bytes: no sort,
// no key lookups, no table building; it yields to the event loop after each chunk.
import { FLUSH_CHUNK_BYTES, FlushChunkWriter } from '../compaction/flush-stream.js';
import type { WorkerPool } from '../compaction/worker/pool.js';
import type { Memtable } from '../memtable/memtable.js';
import type { TableBuilderOptions } from '../sstable/table-builder.js';
import type { FileMeta } from '../version/file-meta.js';

export { writeLevel0Table } from '../compaction/flush-table.js';

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Writes `mem` as the L0 table `fileNum` in the flush worker; resolves with the synced table's metadata. */
export function writeLevel0TableInWorker(
  mem: Memtable,
  fileNum: number,
  dir: string,
  pool: WorkerPool,
  table: TableBuilderOptions,
  oldestSnapshot: number,
): Promise<FileMeta> {
  return pool.runFlush({ dir, fileNum, table, oldestSnapshot }, async (send) => {
    const w = new FlushChunkWriter();
    const n = mem.batchCount;
    for (let i = 0; i < n; i++) {
      mem.forEachBatch(i, i + 1, (buf, off, len, seq) => w.addBatch(buf, off, len, seq));
      if (w.size >= FLUSH_CHUNK_BYTES) {
        const { chunk, length } = w.take();
        send(chunk, length);
        await yieldToEventLoop();
      }
    }
    if (w.size > 0) {
      const { chunk, length } = w.take();
      send(chunk, length);
    }
  });
}

/**
 * Heap bounds for the flush worker: room for about three rebuilt memtables (bytes, key strings and index)
 * plus a base, so V8 collects a finished flush's memtable soon instead of letting the heap grow (measured:
 * peak RSS of a 1M-key random fill 444 MiB unbounded, see ADR 0010).
 */
export function flushWorkerLimits(memtableSize: number): {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
} {
  return {
    maxOldGenerationSizeMb: 64 + Math.ceil((3 * memtableSize) / (1024 * 1024)),
    maxYoungGenerationSizeMb: 16,
  };
}
