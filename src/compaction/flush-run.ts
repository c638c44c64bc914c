// The worker side of a flush (ADR 0010): builds one L0 table from the entry chunks the main thread streams
// (flush-stream.ts). finish() syncs the table and its directory and returns its metadata; publishing it in
// the MANIFEST stays with the main thread. abort() closes and removes the partial file.
import { tableFileName } from '../format/filenames.js';
import type { FileSystem, WritableFile } from '../fs/file-system.js';
import { TableBuilder, type TableBuilderOptions } from '../sstable/table-builder.js';
import { fileMetaOf, type FileMeta } from '../version/file-meta.js';
import { addChunk } from './flush-stream.js';

export interface FlushSpec {
  dir: string;
  fileNum: number;
  table: TableBuilderOptions;
}

export class FlushRun {
  readonly #fs: FileSystem;
  readonly #spec: FlushSpec;
  readonly #path: string;
  readonly #file: WritableFile;
  readonly #builder: TableBuilder;

  constructor(fs: FileSystem, spec: FlushSpec) {
    this.#fs = fs;
    this.#spec = spec;
    this.#path = `${spec.dir}/${tableFileName(spec.fileNum)}`;
    this.#file = fs.create(this.#path);
    this.#builder = new TableBuilder(this.#file, spec.table);
  }

  add(chunk: ArrayBuffer, length: number): void {
    addChunk(this.#builder, chunk, length);
  }

  async finish(): Promise<FileMeta> {
    const props = this.#builder.finish();
    await this.#file.sync();
    this.#file.close();
    await this.#fs.syncDir(this.#spec.dir);
    return fileMetaOf(this.#spec.fileNum, props);
  }

  abort(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
    try {
      this.#fs.unlink(this.#path);
    } catch {
      // never created or already gone
    }
  }
}
