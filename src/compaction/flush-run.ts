// The worker side of a flush (ADR 0010, ADR 0016): reads the frozen memtable in place, in the main thread's
// shared memory, and writes the L0 table: straight from its batches when they are in key order (an append-only
// memtable), else through its key index with the same writeLevel0Table the main thread uses (sort, snapshot
// drop rule, table build, fdatasync of table and directory). Publishing the table in the MANIFEST stays with
// the main thread.
import type { FileSystem } from '../fs/file-system.js';
import { Memtable } from '../memtable/memtable.js';
import type { TableBuilderOptions } from '../sstable/table-builder.js';
import type { SharedBatches } from '../memtable/shared-batches.js';
import { writeLevel0Table, writeLevel0TableInKeyOrder, type FlushedTable } from './flush-table.js';

export interface FlushSpec {
  dir: string;
  fileNum: number;
  table: TableBuilderOptions;
  /** Versions at or below this seq may be read by a snapshot (the drop rule of flush-table.ts). */
  oldestSnapshot: number;
}

/**
 * Writes the table of a flush; on failure the partial file is removed and the error thrown. Batches in key
 * order go straight to the table; otherwise the memtable is read in place through its shared key index
 * (sorted here). Nothing here recycles the shared memory (buffer-pool.ts).
 */
export async function runFlush(
  fs: FileSystem,
  spec: FlushSpec,
  batches: SharedBatches,
): Promise<FlushedTable> {
  if (batches.inKeyOrder) return writeLevel0TableInKeyOrder(batches, spec.fileNum, spec.dir, fs, spec.table);
  const mem = Memtable.frozenOver(batches);
  try {
    return await writeLevel0Table(mem, spec.fileNum, spec.dir, fs, spec.table, spec.oldestSnapshot, false);
  } finally {
    mem.releaseFrozenView();
  }
}
