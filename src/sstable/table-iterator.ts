// Forward iteration over every internal entry of a table (all versions, deletions included), in internal-key
// order. Used by compaction, which must see each version; blocks are read around the block cache, many at a
// time, through a read window (read-window.ts) that close() gives back.
import { decodeBlock, type DecodedBlock } from './block.js';
import { ReadWindow } from './read-window.js';
import type { TableReader } from './table-reader.js';

export class TableIterator {
  readonly #t: TableReader;
  #b = -1;
  #blk: DecodedBlock | undefined;
  #e = 0;
  readonly #window = new ReadWindow();

  constructor(table: TableReader) {
    this.#t = table;
  }

  #load(b: number): void {
    while (b < this.#t.blockCount) {
      const data = this.#t.dataBlockThrough(b, this.#window);
      const blk = decodeBlock(data, 0, data.length, true, this.#t.fileName, this.#t.blockOffsets[b]!);
      if (blk.keys.length > 0) {
        this.#b = b;
        this.#blk = blk;
        this.#e = 0;
        return;
      }
      b++;
    }
    this.#blk = undefined;
  }

  seekToFirst(): void {
    this.#load(0);
  }
  valid(): boolean {
    return this.#blk !== undefined;
  }
  /** User key (binary string). REQUIRES: valid(). */
  key(): string {
    return this.#blk!.keys[this.#e]!;
  }
  trailer(): number {
    return this.#blk!.trailers[this.#e]!;
  }
  /** The buffer holding the value and its position (valid until the iterator moves to another block). */
  valueData(): Buffer {
    return this.#blk!.data;
  }
  valueOffset(): number {
    return this.#blk!.valueOffsets[this.#e]!;
  }
  valueLength(): number {
    return this.#blk!.valueLengths[this.#e]!;
  }
  next(): void {
    if (++this.#e >= this.#blk!.keys.length) this.#load(this.#b + 1);
  }
  /** Gives the read window back; the iterator is not to be used again. */
  close(): void {
    this.#blk = undefined;
    this.#window.release();
  }
}
