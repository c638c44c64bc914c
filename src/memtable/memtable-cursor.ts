// SourceCursor over a memtable at sequence `seq`: walks the memtable's sorted key array as it was when the
// cursor was made (later inserts have larger sequence numbers and would be invisible anyway).
import type { SourceCursor } from '../iter/source-cursor.js';
import type { Memtable } from './memtable.js';

export class MemtableCursor implements SourceCursor {
  readonly #mem: Memtable;
  readonly #readSeq: number;
  readonly #keys: string[];
  #i = -1;
  #entry = -1;

  constructor(mem: Memtable, readSeq: number) {
    this.#mem = mem;
    this.#readSeq = readSeq;
    this.#keys = mem.sortedKeys();
  }

  valid(): boolean {
    return this.#entry >= 0;
  }
  key(): string {
    return this.#keys[this.#i]!;
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
    const keys = this.#keys;
    while (i >= 0 && i < keys.length) {
      const e = this.#mem.find(keys[i]!, this.#readSeq);
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
    const keys = this.#keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  seek(target: string): void {
    this.#settle(this.#lowerBound(target), 1);
  }
  seekForPrev(target: string): void {
    let i = this.#lowerBound(target);
    if (i >= this.#keys.length || this.#keys[i] !== target) i--;
    this.#settle(i, -1);
  }
  seekToFirst(): void {
    this.#settle(0, 1);
  }
  seekToLast(): void {
    this.#settle(this.#keys.length - 1, -1);
  }
  next(): void {
    this.#settle(this.#i + 1, 1);
  }
  prev(): void {
    this.#settle(this.#i - 1, -1);
  }
  close(): void {
    this.#entry = -1;
  }
}
