// The block cache: data blocks in a ring of segments, evicted oldest-first as new blocks are written over them
// (a FIFO with second chance: a hit on a block in the oldest quarter copies it to the head, so hot blocks stay).
// No object per block: an index from key to queue slot (NumberIndex, typed arrays) and typed arrays per slot.
// Measured reason (docs/performance.md): a Buffer and a slot object per cached block made the GC a quarter of a
// random get.
//
// Segments (ADR 0019): segment 0 is the cache's own arena of `capacity` bytes. The others are idle memory
// borrowed from the memtable pools (write buffers, per-entry arrays) after a whole turn of the ring in which
// nothing took memory from those pools: a read-only phase gets the memory the write phase left resident. A pool takes its
// memory back (returnAll) as soon as it is used again; the blocks in it are dropped first.
//
// Invariants:
// - Bytes of a cached block stay valid only until the next insert or returnAll. Callers use them synchronously
//   (point lookups) or copy them (cursors keep their own copy of a block).
// - Ring order: the head is a (segment, offset) position; the live queue slots, oldest first, are the blocks in
//   ring order from the head (rest of the head's segment, later segments, segment 0 on). So evicting from the
//   queue's front frees exactly the space the head writes next. Slots of returned segments are dead (length
//   -1) and skipped.
// Keys: slot * 2^34 + offset (see table-reader.ts); a tag (the reader's unique id) guards against reused keys.
import type { Borrower, Lender, PooledMemory } from '../util/buffer-pool.js';
import { NumberIndex } from '../util/number-index.js';

/** Smallest segment borrowed by default: the end of a segment too short for the next block is left unused. */
const MIN_SEGMENT = 64 * 1024;
const DEAD = -1;
const EMPTY = Buffer.alloc(0);

export class BlockCache implements Borrower {
  /** Bytes of the cache's own arena; blocks larger than an eighth of it are not cached. */
  readonly capacity: number;
  readonly #lenders: readonly Lender[];
  readonly #minSegment: number;
  /** Each lender's take count when the head last wrapped (-1: not yet seen). */
  readonly #lenderTakes: number[];
  // Segments in ring order (index 0: the own arena, made on first insert) and their ids.
  #segBuf: Buffer[] = [];
  #segId: number[] = [];
  #segLender: (Lender | undefined)[] = [];
  /** Segment id -> its Buffer. */
  #bufById: (Buffer | undefined)[] = [];
  readonly #freeIds: number[] = [];
  #borrowed = 0;
  #hs = 0; // index of the head's segment
  #head = 0; // offset of the head in it
  readonly #index = new NumberIndex(1024);
  #qKey = new Float64Array(1024);
  #qTag = new Float64Array(1024);
  #qSeg = new Int32Array(1024);
  #qOff = new Float64Array(1024);
  #qLen = new Int32Array(1024);
  #qFirst = 0; // oldest slot
  #qNext = 0; // next slot to fill
  #qCount = 0;
  #used = 0;
  /** Length of the block found by the last successful lookup(). */
  lastLength = 0;
  /** The segment holding the block of the last successful lookup() or reserve(). */
  lastBuffer: Buffer = EMPTY;
  hits = 0;
  misses = 0;

  /** `lenders`: pools whose idle memory the cache may borrow (none: the cache keeps to `capacity`), in
   *  buffers of at least `minSegment` bytes. */
  constructor(capacity: number, lenders: readonly Lender[] = [], minSegment = MIN_SEGMENT) {
    this.capacity = capacity;
    this.#lenders = lenders;
    this.#minSegment = minSegment;
    this.#lenderTakes = lenders.map(() => -1);
  }

  /** Bytes of cached blocks (at most capacity + borrowedBytes). */
  get usedBytes(): number {
    return this.#used;
  }
  /** Bytes borrowed from the lenders and not yet given back. */
  get borrowedBytes(): number {
    return this.#borrowed;
  }
  get size(): number {
    return this.#index.size;
  }

  /** Offset of the cached block in lastBuffer, or -1 (a miss). Sets lastLength and lastBuffer. */
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
    const buf = this.#bufById[this.#qSeg[s]!]!;
    // Second chance: a block about to be overwritten is moved to the head.
    const age = (s - this.#qFirst + this.#qKey.length) % this.#qKey.length;
    if (age < this.#qCount >>> 2 && len <= this.capacity >>> 3) {
      this.#index.delete(key);
      const dst = this.reserve(key, tag, len);
      if (dst < 0) return -1;
      const to = this.lastBuffer;
      // The source slot may have been evicted by this reserve, but its bytes are intact until copied over.
      if (to === buf) buf.copyWithin(dst, off, off + len);
      else to.set(buf.subarray(off, off + len), dst);
      return dst;
    }
    this.lastBuffer = buf;
    return off;
  }

  /**
   * Makes room for a block of `len` bytes under `key` and returns its offset in lastBuffer (the caller fills
   * it), or -1 if the block is too large to cache. Evicts the oldest blocks the space overlaps.
   */
  reserve(key: number, tag: number, len: number): number {
    if (len > this.capacity >>> 3) return -1;
    if (this.#segBuf.length === 0) this.#addSegment(Buffer.allocUnsafeSlow(this.capacity), undefined);
    let seg = this.#segBuf[this.#hs]!;
    // Segment 0 holds at least 8 blocks of this size, so this ends there at the latest.
    while (this.#head + len > seg.length) {
      // Leave the segment: the blocks from the head to its end are older than any other.
      this.#evict(this.#segId[this.#hs]!, this.#head, Infinity);
      if (++this.#hs === this.#segBuf.length && !this.#borrow()) this.#hs = 0;
      this.#head = 0;
      seg = this.#segBuf[this.#hs]!;
    }
    const start = this.#head;
    const end = start + len;
    const id = this.#segId[this.#hs]!;
    this.#evict(id, start, end);
    if (this.#qCount === this.#qKey.length) this.#growQueue();
    const s = this.#qNext;
    this.#qKey[s] = key;
    this.#qTag[s] = tag;
    this.#qSeg[s] = id;
    this.#qOff[s] = start;
    this.#qLen[s] = len;
    this.#qNext = (s + 1) % this.#qKey.length;
    this.#qCount++;
    this.#index.set(key, s);
    this.#used += len;
    this.#head = (end + 7) & ~7;
    this.lastBuffer = seg;
    return start;
  }

  /** Forgets `key` (a block whose read failed). */
  forget(key: number): void {
    this.#index.delete(key);
  }

  /** Pops the oldest slots while they are dead or lie in segment `id` at offsets [lo, hi). */
  #evict(id: number, lo: number, hi: number): void {
    while (this.#qCount > 0) {
      const s = this.#qFirst;
      const len = this.#qLen[s]!;
      if (len !== DEAD) {
        const off = this.#qOff[s]!;
        if (this.#qSeg[s] !== id || off < lo || off >= hi) return;
        const k = this.#qKey[s]!;
        if (this.#index.get(k) === s) this.#index.delete(k);
        this.#used -= len;
      }
      this.#qFirst = (s + 1) % this.#qKey.length;
      this.#qCount--;
    }
  }

  /**
   * At the end of a turn of the ring: borrows the idle memory of each lender that was asked for none during the
   * turn (no take), appending it as new segments after the last. Returns whether any segment was added.
   */
  #borrow(): boolean {
    let added = false;
    for (let i = 0; i < this.#lenders.length; i++) {
      const pool = this.#lenders[i]!;
      if (pool.takes === this.#lenderTakes[i]) {
        for (const mem of pool.lend(this, this.#minSegment)) {
          this.#addSegment(Buffer.from(mem), pool);
          added = true;
        }
      }
      this.#lenderTakes[i] = pool.takes;
    }
    return added;
  }

  #addSegment(buf: Buffer, lender: Lender | undefined): void {
    const id = this.#freeIds.pop() ?? this.#bufById.length;
    this.#bufById[id] = buf;
    this.#segBuf.push(buf);
    this.#segId.push(id);
    this.#segLender.push(lender);
    if (lender !== undefined) this.#borrowed += buf.length;
  }

  /** Drops the blocks held in `pool`'s memory and gives that memory back to it. */
  returnAll(pool: Lender): void {
    const gone = new Set<number>();
    for (let i = 0; i < this.#segBuf.length; i++) if (this.#segLender[i] === pool) gone.add(this.#segId[i]!);
    if (gone.size === 0) return;
    const n = this.#qKey.length;
    for (let i = 0, s = this.#qFirst; i < this.#qCount; i++, s = (s + 1) % n) {
      if (this.#qLen[s] === DEAD || !gone.has(this.#qSeg[s]!)) continue;
      const k = this.#qKey[s]!;
      if (this.#index.get(k) === s) this.#index.delete(k);
      this.#used -= this.#qLen[s]!;
      this.#qLen[s] = DEAD;
    }
    // Keep the other segments in order. A head in a returned segment moves to the start of the next kept one:
    // the blocks between were in the returned memory.
    const headId = this.#segId[this.#hs]!;
    const headMoved = gone.has(headId);
    const given: Buffer[] = [];
    const segBuf: Buffer[] = [];
    const segId: number[] = [];
    const segLender: (Lender | undefined)[] = [];
    let hs = -1;
    for (let i = 0; i < this.#segBuf.length; i++) {
      const id = this.#segId[i]!;
      if (gone.has(id)) {
        given.push(this.#segBuf[i]!);
        this.#bufById[id] = undefined;
        this.#freeIds.push(id);
        continue;
      }
      if (id === headId || (headMoved && hs < 0 && i > this.#hs)) hs = segBuf.length;
      segBuf.push(this.#segBuf[i]!);
      segId.push(id);
      segLender.push(this.#segLender[i]);
    }
    if (hs < 0) hs = 0; // the head's segment and all after it were returned: on to segment 0
    this.#segBuf = segBuf;
    this.#segId = segId;
    this.#segLender = segLender;
    this.#hs = hs;
    if (headMoved) this.#head = 0;
    this.lastBuffer = EMPTY;
    for (const buf of given) {
      this.#borrowed -= buf.length;
      pool.giveBack(buf.buffer as PooledMemory);
    }
  }

  /** Gives every borrowed segment back to its pool (the database is closing). */
  close(): void {
    for (const pool of this.#lenders) {
      this.returnAll(pool);
      pool.forget(this);
    }
  }

  #growQueue(): void {
    const n = this.#qKey.length * 2;
    const order = (arr: Float64Array | Int32Array, out: Float64Array | Int32Array): void => {
      for (let i = 0; i < this.#qCount; i++) out[i] = arr[(this.#qFirst + i) % arr.length]!;
    };
    const key = new Float64Array(n);
    const tag = new Float64Array(n);
    const seg = new Int32Array(n);
    const off = new Float64Array(n);
    const len = new Int32Array(n);
    order(this.#qKey, key);
    order(this.#qTag, tag);
    order(this.#qSeg, seg);
    order(this.#qOff, off);
    order(this.#qLen, len);
    const oldLen = this.#qKey.length;
    for (let i = 0; i < this.#qCount; i++) {
      // Re-point only live slots: a forgotten, moved or dead key keeps a stale slot the index no longer names.
      if (this.#index.get(key[i]!) === (this.#qFirst + i) % oldLen) this.#index.set(key[i]!, i);
    }
    this.#qKey = key;
    this.#qTag = tag;
    this.#qSeg = seg;
    this.#qOff = off;
    this.#qLen = len;
    this.#qFirst = 0;
    this.#qNext = this.#qCount;
  }

  clear(): void {
    this.#index.clear();
    this.#qFirst = this.#qNext = this.#qCount = 0;
    this.#hs = 0;
    this.#head = 0;
    this.#used = 0;
  }
}
