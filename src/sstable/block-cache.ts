// The block cache: data blocks in one ring-buffer arena, evicted oldest-first as new blocks are written over
// them (a FIFO with second chance: a hit on a block in the oldest quarter copies it to the head, so hot blocks
// stay). No object per block: an index from key to queue slot (NumberIndex, typed arrays) and typed arrays per slot. Measured reason
// (docs/performance.md): a Buffer and a slot object per cached block made the GC a quarter of a random get.
//
// Invariant: bytes of a cached block stay valid only until the next insert. Callers use them synchronously
// (point lookups) or copy them (cursors keep their own copy of a block).
// Keys: slot * 2^34 + offset (see table-reader.ts); a tag (the reader's unique id) guards against reused keys.
import { NumberIndex } from '../util/number-index.js';

export class BlockCache {
  readonly capacity: number;
  #ring: Buffer | undefined;
  #head = 0;
  readonly #index = new NumberIndex(1024);
  #qKey = new Float64Array(1024);
  #qTag = new Float64Array(1024);
  #qOff = new Float64Array(1024);
  #qLen = new Int32Array(1024);
  #qFirst = 0; // oldest slot
  #qNext = 0; // next slot to fill
  #qCount = 0;
  #used = 0;
  /** Length of the block found by the last successful lookup(). */
  lastLength = 0;
  hits = 0;
  misses = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** The arena; valid bytes are those returned by lookup()/reserve() until the next reserve(). */
  get ring(): Buffer {
    return (this.#ring ??= Buffer.allocUnsafeSlow(this.capacity));
  }
  get usedBytes(): number {
    return this.#used;
  }
  get size(): number {
    return this.#index.size;
  }

  /** Offset of the cached block in ring, or -1 (a miss). Sets lastLength. */
  lookup(key: number, tag: number): number {
    const s = this.#index.get(key);
    if (s < 0 || this.#qTag[s] !== tag) {
      this.misses++;
      return -1;
    }
    this.hits++;
    const len = this.#qLen[s]!;
    this.lastLength = len;
    const off = this.#qOff[s]!;
    // Second chance: a block about to be overwritten is moved to the head.
    const age = (s - this.#qFirst + this.#qKey.length) % this.#qKey.length;
    if (age < this.#qCount >>> 2 && len <= this.capacity >>> 3) {
      this.#index.delete(key);
      const src = off;
      const dst = this.reserve(key, tag, len);
      if (dst >= 0) {
        this.ring.copyWithin(dst, src, src + len);
        return dst;
      }
      return -1;
    }
    return off;
  }

  /**
   * Makes room for a block of `len` bytes under `key` and returns its offset in ring (the caller fills it), or
   * -1 if the block is too large to cache. Evicts the oldest blocks the space overlaps.
   */
  reserve(key: number, tag: number, len: number): number {
    if (len > this.capacity >>> 3) return -1;
    const ring = this.ring;
    let start = this.#head;
    if (start + len > ring.length) {
      // Wrap: everything between the head and the end is older than anything at the start.
      this.#evictWhile((off) => off >= start);
      start = 0;
    }
    const end = start + len;
    this.#evictWhile((off) => off >= start && off < end);
    if (this.#qCount === this.#qKey.length) this.#growQueue();
    const s = this.#qNext;
    this.#qKey[s] = key;
    this.#qTag[s] = tag;
    this.#qOff[s] = start;
    this.#qLen[s] = len;
    this.#qNext = (s + 1) % this.#qKey.length;
    this.#qCount++;
    this.#index.set(key, s);
    this.#used += len;
    this.#head = (end + 7) & ~7;
    return start;
  }

  /** Forgets `key` (a block whose read failed). */
  forget(key: number): void {
    this.#index.delete(key);
  }

  #evictWhile(pred: (off: number) => boolean): void {
    while (this.#qCount > 0 && pred(this.#qOff[this.#qFirst]!)) {
      const s = this.#qFirst;
      const k = this.#qKey[s]!;
      if (this.#index.get(k) === s) this.#index.delete(k);
      this.#used -= this.#qLen[s]!;
      this.#qFirst = (s + 1) % this.#qKey.length;
      this.#qCount--;
    }
  }

  #growQueue(): void {
    const n = this.#qKey.length * 2;
    const order = (arr: Float64Array | Int32Array, out: Float64Array | Int32Array): void => {
      for (let i = 0; i < this.#qCount; i++) out[i] = arr[(this.#qFirst + i) % arr.length]!;
    };
    const key = new Float64Array(n);
    const tag = new Float64Array(n);
    const off = new Float64Array(n);
    const len = new Int32Array(n);
    order(this.#qKey, key);
    order(this.#qTag, tag);
    order(this.#qOff, off);
    order(this.#qLen, len);
    const oldLen = this.#qKey.length;
    for (let i = 0; i < this.#qCount; i++) {
      // Re-point only live slots: a forgotten or moved key keeps a stale slot the index no longer names.
      if (this.#index.get(key[i]!) === (this.#qFirst + i) % oldLen) this.#index.set(key[i]!, i);
    }
    this.#qKey = key;
    this.#qTag = tag;
    this.#qOff = off;
    this.#qLen = len;
    this.#qFirst = 0;
    this.#qNext = this.#qCount;
  }

  clear(): void {
    this.#index.clear();
    this.#qFirst = this.#qNext = this.#qCount = 0;
    this.#head = 0;
    this.#used = 0;
  }
}
