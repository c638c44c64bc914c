// The main-thread side of a background flush (ADR 0010, ADR 0016): the flush worker reads the frozen
// memtable's batches in place, in shared memory, rebuilds the memtable and writes the L0 table
// (../compaction/flush-run.ts). The main thread copies nothing but a batch that a caller encoded outside
// shared memory; no sort, no key lookups, no table building.
import type { WorkerPool } from '../compaction/worker/pool.js';
import type { Memtable } from '../memtable/memtable.js';
import type { TableBuilderOptions } from '../sstable/table-builder.js';
import type { FlushedTable } from '../compaction/flush-table.js';

export { writeLevel0Table } from '../compaction/flush-table.js';

/** Writes `mem` as the L0 table `fileNum` in the flush worker; resolves with the synced table's metadata and
 *  its parsed index and filter. The memtable must not be retired before this settles (the worker reads its
 *  buffers). */
export function writeLevel0TableInWorker(
  mem: Memtable,
  fileNum: number,
  dir: string,
  pool: WorkerPool,
  table: TableBuilderOptions,
  oldestSnapshot: number,
): Promise<FlushedTable> {
  return pool.runFlush({ dir, fileNum, table, oldestSnapshot }, mem.sharedBatches());
}

/**
 * How long the flush worker may stay idle before it is terminated (ADR 0017; compaction workers keep
 * WORKER_IDLE_MS). Shorter than a compaction worker's: under a steady write load flushes follow each other far
 * sooner, and after the last one its heap and working buffers (about 15 MiB) would otherwise stay through the
 * compaction that flush started and the reads that follow.
 */
export const FLUSH_WORKER_IDLE_MS = 500;

/**
 * Heap bounds for the flush worker, so that V8 collects a finished flush's garbage soon instead of letting the
 * heap grow (measured when the worker rebuilt each memtable: peak RSS of a 1M-key random fill 444 MiB
 * unbounded, ADR 0010). Since ADR 0016 it rebuilds none and needs far less; the bounds are kept as a margin.
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
