// SourceCursor over a memtable at sequence `seq`: walks the memtable's sorted key ids as they were when the
// cursor was made (later inserts have larger sequence numbers and would be invisible anyway).
import type { SourceCursor } from '../iter/source-cursor.js';
import type { Memtable } from './memtable.js';

export class MemtableCursor implements SourceCursor {
  readonly #mem: Memtable;
  readonly #readSeq: number;
  readonly #ids: Int32Array;
  #i = -1;
  #entry = -1;
  /** The binary string of the current key, made on first use. */
  #key: string | undefined;

  #open = true;

  /** Holds `mem` as a reader until close(): a retired memtable recycles its buffers only after that. */
  constructor(mem: Memtable, readSeq: number) {
    this.#mem = mem;
    this.#readSeq = readSeq;
    this.#ids = mem.sortedKeyIds();
    mem.acquireReader();
  }

  valid(): boolean {
    return this.#entry >= 0;
  }
  key(): string {
    return (this.#key ??= this.#mem.keyString(this.#ids[this.#i]!));
  }
  seq(): number {
    return this.#mem.entrySeq(this.#entry);
  }
  isDeletion(): boolean {
    return this.#mem.entryIsDeletion(this.#entry);
  }
  value(): Buffer {
    return this.#mem.entryValue(this.#entry);
  }

  /** Moves from index i in direction d (+1/-1) to the first key with a visible version. */
  #settle(i: number, d: number): void {
    const ids = this.#ids;
    this.#key = undefined;
    while (i >= 0 && i < ids.length) {
      const e = this.#mem.visibleVersion(ids[i]!, this.#readSeq);
      if (e >= 0) {
        this.#i = i;
        this.#entry = e;
        return;
      }
      i += d;
    }
    this.#i = -1;
    this.#entry = -1;
  }

  #lowerBound(target: string): number {
    const ids = this.#ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#mem.compareKeyTo(ids[mid]!, target) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  seek(target: string): void {
    this.#settle(this.#lowerBound(target), 1);
  }
  seekForPrev(target: string): void {
    let i = this.#lowerBound(target);
    if (i >= this.#ids.length || this.#mem.compareKeyTo(this.#ids[i]!, target) !== 0) i--;
    this.#settle(i, -1);
  }
  seekToFirst(): void {
    this.#settle(0, 1);
  }
  seekToLast(): void {
    this.#settle(this.#ids.length - 1, -1);
  }
  next(): void {
    this.#settle(this.#i + 1, 1);
  }
  prev(): void {
    this.#settle(this.#i - 1, -1);
  }
  close(): void {
    this.#entry = -1;
    this.#key = undefined;
    if (this.#open) {
      this.#open = false;
      this.#mem.releaseReader();
    }
  }
}
