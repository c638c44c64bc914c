// SourceCursor over one table at a read sequence number. Underneath is a raw position (block, entry) over the
// table's internal keys (user key asc, trailer desc); on top, each user key collapses to its newest version
// with seq <= readSeq. Blocks are decoded on entry (see block.ts), so moves inside a block are index steps; a
// seek decodes its block only from the restart point before the target (`partial`), and stepping back past
// that point decodes the whole block. Holds a reference on the TableReader until close().
import type { SourceCursor } from '../iter/source-cursor.js';
import { Kind, trailerKind, trailerSeq } from '../format/keys.js';
import type { DecodedBlock } from './block.js';
import { copyBytes } from '../util/bytes.js';
import type { TableReader } from './table-reader.js';

export class TableCursor implements SourceCursor {
  readonly #t: TableReader;
  readonly #visible: number; // the largest visible trailer: readSeq * 256 + Kind.Value
  #b = -1;
  #blk: DecodedBlock | undefined;
  #e = 0;
  #valid = false;
  #key = '';
  #trailer = 0;
  #curBlk: DecodedBlock | undefined;
  #curE = 0;
  #forward = true;
  #closed = false;

  constructor(table: TableReader, readSeq: number) {
    table.ref();
    this.#t = table;
    this.#visible = readSeq * 256 + Kind.Value;
  }

  valid(): boolean {
    return this.#valid;
  }
  key(): string {
    return this.#key;
  }
  seq(): number {
    return trailerSeq(this.#trailer);
  }
  isDeletion(): boolean {
    return trailerKind(this.#trailer) === Kind.Delete;
  }
  value(): Buffer {
    const blk = this.#curBlk!;
    const off = blk.valueOffsets[this.#curE]!;
    const len = blk.valueLengths[this.#curE]!;
    return copyBytes(blk.data, off, off + len);
  }

  // ---- raw positioning over internal entries ----
  #load(b: number): boolean {
    if (b < 0 || b >= this.#t.blockCount) {
      this.#blk = undefined;
      this.#b = -1;
      return false;
    }
    if (b !== this.#b || this.#blk === undefined || this.#blk.partial) {
      this.#blk = this.#t.decodeDataBlock(b);
      this.#b = b;
    }
    return true;
  }
  #rawNext(): void {
    if (++this.#e >= this.#blk!.keys.length) {
      if (this.#load(this.#b + 1)) this.#e = 0;
    }
  }
  #rawPrev(): void {
    if (--this.#e >= 0) return;
    const blk = this.#blk!;
    if (blk.partial) {
      // Entry 0 of a partial block is some entry k of the whole block: continue at k - 1.
      const whole = this.#t.decodeDataBlock(this.#b);
      const k = whole.valueOffsets.indexOf(blk.valueOffsets[0]!);
      if (k < 0) throw new Error('internal error: a partial block does not start at an entry');
      this.#blk = whole;
      if (k > 0) {
        this.#e = k - 1;
        return;
      }
    }
    if (this.#load(this.#b - 1)) this.#e = this.#blk!.keys.length - 1;
  }
  /** First entry >= (key, trailer); trailer = Infinity for the key's first entry, -1 to pass all of them. */
  #rawSeek(key: string, trailer: number): void {
    const b = this.#t.findBlock(key, trailer);
    if (b >= this.#t.blockCount) {
      this.#load(b);
      return;
    }
    if (b !== this.#b || this.#blk === undefined || this.#blk.partial) {
      this.#blk = this.#t.decodeDataBlockFrom(b, key, trailer);
      this.#b = b;
    }
    const blk = this.#blk;
    let lo = 0;
    let hi = blk.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = blk.keys[mid]!;
      if (k < key || (k === key && blk.trailers[mid]! > trailer)) lo = mid + 1;
      else hi = mid;
    }
    this.#e = lo;
    if (lo >= blk.keys.length && this.#load(this.#b + 1)) this.#e = 0;
  }

  #settleForward(): void {
    while (this.#blk !== undefined) {
      const blk0 = this.#blk;
      const k = blk0.keys[this.#e]!;
      while (
        this.#blk !== undefined &&
        this.#blk.keys[this.#e] === k &&
        this.#blk.trailers[this.#e]! > this.#visible
      ) {
        this.#rawNext();
      }
      const blk = this.#blk;
      if (blk !== undefined && blk.keys[this.#e] === k) {
        this.#setCurrent(blk, this.#e);
        return;
      }
    }
    this.#valid = false;
  }

  #settleBackward(): void {
    while (this.#blk !== undefined) {
      const k = this.#blk.keys[this.#e]!;
      let candBlk: DecodedBlock | undefined;
      let candE = 0;
      while (this.#blk !== undefined && this.#blk.keys[this.#e] === k) {
        if (this.#blk.trailers[this.#e]! <= this.#visible) {
          candBlk = this.#blk;
          candE = this.#e;
        }
        this.#rawPrev();
      }
      if (candBlk !== undefined) {
        this.#setCurrent(candBlk, candE);
        return;
      }
    }
    this.#valid = false;
  }

  #setCurrent(blk: DecodedBlock, e: number): void {
    this.#valid = true;
    this.#key = blk.keys[e]!;
    this.#trailer = blk.trailers[e]!;
    this.#curBlk = blk;
    this.#curE = e;
  }

  seek(target: string): void {
    this.#forward = true;
    this.#rawSeek(target, Infinity);
    this.#settleForward();
  }
  seekForPrev(target: string): void {
    this.#forward = false;
    this.#rawSeek(target, -1);
    if (this.#blk === undefined) this.#rawLast();
    else this.#rawPrev();
    this.#settleBackward();
  }
  seekToFirst(): void {
    this.#forward = true;
    if (this.#load(0)) this.#e = 0;
    this.#settleForward();
  }
  seekToLast(): void {
    this.#forward = false;
    this.#rawLast();
    this.#settleBackward();
  }
  #rawLast(): void {
    if (this.#load(this.#t.blockCount - 1)) this.#e = this.#blk!.keys.length - 1;
  }
  next(): void {
    const k = this.#key;
    if (!this.#forward) {
      this.#forward = true;
      this.#rawSeek(k, Infinity);
    }
    while (this.#blk !== undefined && this.#blk.keys[this.#e] === k) this.#rawNext();
    this.#settleForward();
  }
  prev(): void {
    if (this.#forward) {
      this.#forward = false;
      this.#rawSeek(this.#key, Infinity);
      if (this.#blk === undefined) this.#rawLast();
      else this.#rawPrev();
    }
    this.#settleBackward();
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#valid = false;
    this.#blk = undefined;
    this.#curBlk = undefined;
    this.#t.unref();
  }
}
