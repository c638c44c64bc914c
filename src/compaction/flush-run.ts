// The worker side of a flush (ADR 0010): rebuilds the frozen memtable from the batches the main thread
// streams (flush-stream.ts), in their original order, then writes it with the same writeLevel0Table the
// main thread uses (sort, snapshot drop rule, table build, fdatasync of table and directory). Publishing the
// table in the MANIFEST stays with the main thread.
import type { FileSystem } from '../fs/file-system.js';
import { Memtable } from '../memtable/memtable.js';
import type { TableBuilderOptions } from '../sstable/table-builder.js';
import type { FileMeta } from '../version/file-meta.js';
import { forEachChunkBatch } from './flush-stream.js';
import { writeLevel0Table } from './flush-table.js';

export interface FlushSpec {
  dir: string;
  fileNum: number;
  table: TableBuilderOptions;
  /** Versions at or below this seq may be read by a snapshot (the drop rule of flush-table.ts). */
  oldestSnapshot: number;
}

export class FlushRun {
  readonly #fs: FileSystem;
  readonly #spec: FlushSpec;
  readonly #mem = new Memtable(0);

  constructor(fs: FileSystem, spec: FlushSpec) {
    this.#fs = fs;
    this.#spec = spec;
  }

  add(chunk: ArrayBuffer, length: number): void {
    forEachChunkBatch(chunk, length, (rep, seq) => this.#mem.addBatch(rep, rep.length, seq));
  }

  /** Writes the table; on failure the partial file is removed (writeLevel0Table) and the error thrown. */
  finish(): Promise<FileMeta> {
    const s = this.#spec;
    return writeLevel0Table(this.#mem, s.fileNum, s.dir, this.#fs, s.table, s.oldestSnapshot, false);
  }
}
