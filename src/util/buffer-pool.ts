// BufferPool: hands the large buffers of flushed memtables (large batches' own buffers, 1 MiB slabs) back out
// for new memtables, and (`batchBuffers`) buffers write batches moved away from back to new batches. A fill
// writes every key and value into memory: memory fresh from malloc costs the page faults and cache misses of
// its first touch (~25% of fillseq once: perf, page faults 11%, memmove 15%), and dead buffers wait for the
// GC to be freed, which makes the heap grow meanwhile.
//
// Invariant: a buffer is given only when nothing can read or write it any more (a retired memtable with no
// open cursor: memtable.ts; a buffer a WriteBatch moved away from, once the engine gave back the view it had
// lent of it: write-batch.ts). Only whole
// ArrayBuffers of at least MIN_POOLED bytes are pooled, never views into Node's shared 8 KiB allocation pool.
// SharedArrayBuffers are pooled only when sharedBuffer() in this thread made them: one that arrived from another
// thread (a flush worker's view of the main thread's memtable, ADR 0016) belongs to that thread, which will
// reuse it.

/** Smallest ArrayBuffer pooled: Buffer.allocUnsafe shares 8 KiB pools below 4 KiB; these are far larger. */
export const MIN_POOLED = 64 * 1024;

/** SharedArrayBuffers made by sharedBuffer() in this thread (another thread's are distinct objects). */
const ownShared = new WeakSet<SharedArrayBuffer>();

/**
 * A Buffer of `n` bytes on a SharedArrayBuffer of its own, made in this thread: memory that a flush worker can
 * read without a copy (ADR 0016). Zero-filled by the allocator; callers treat its contents as unspecified.
 */
export function sharedBuffer(n: number): Buffer {
  return Buffer.from(sharedMemory(n));
}

/** A SharedArrayBuffer of `n` bytes made in this thread (poolable here, as sharedBuffer's). */
export function sharedMemory(n: number): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(n);
  ownShared.add(sab);
  return sab;
}

/** Memory a pool hands over: whole ArrayBuffers or SharedArrayBuffers. */
export type PooledMemory = ArrayBuffer | SharedArrayBuffer;

/**
 * Something that borrows a lender's idle memory (the block cache, ADR 0019). It must stop using every buffer it
 * borrowed from `lender`, and hand each back with `lender.giveBack`, before `returnAll` returns.
 */
export interface Borrower {
  returnAll(lender: Lender): void;
}

/** Idle memory a borrower may use until the lender asks for it back: a BufferPool, or the memory of the
 *  background workers while none runs (ADR 0022). */
export interface Lender {
  /** Counts the owner's demands for memory: unchanged between two readings means it needed none meanwhile. */
  readonly takes: number;
  /** Hands every idle buffer of at least `minBytes` to `borrower` (possibly none), until `borrower.returnAll`. */
  lend(borrower: Borrower, minBytes: number): PooledMemory[];
  /** A borrower hands back a buffer it borrowed and no longer touches. */
  giveBack(ab: PooledMemory): void;
  /** A borrower that gave back everything of its own accord (closing) is no longer asked. */
  forget(borrower: Borrower): void;
}

export class BufferPool implements Lender {
  #maxBytes: number;
  readonly #minPooled: number;
  readonly #free: PooledMemory[] = [];
  #bytes = 0;
  #lentBytes = 0;
  #takes = 0;
  readonly #borrowers = new Set<Borrower>();

  /** `minPooled`: smaller buffers are never held (default MIN_POOLED). */
  constructor(maxBytes: number, minPooled = MIN_POOLED) {
    this.#maxBytes = maxBytes;
    this.#minPooled = minPooled;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes lent to borrowers and not yet given back. Invariant: bytes + lentBytes <= maxBytes. */
  get lentBytes(): number {
    return this.#lentBytes;
  }

  /** The most bytes held for reuse or lent. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Counts take() calls: unchanged between two readings means the owner asked for no memory meanwhile (a
   *  give, a memtable retiring, hands memory back and does not count). */
  get takes(): number {
    return this.#takes;
  }

  /** Raises the cap by `bytes` (≥ 0). */
  grow(bytes: number): void {
    this.#maxBytes += bytes;
  }

  /** Lowers the cap by `bytes` (≥ 0) and drops held buffers (taking lent ones back first if need be) until the
   *  rest fit under it. */
  shrink(bytes: number): void {
    this.#maxBytes = Math.max(0, this.#maxBytes - bytes);
    if (this.#bytes + this.#lentBytes > this.#maxBytes) this.#reclaim();
    const free = this.#free;
    let drop = 0;
    while (this.#bytes > this.#maxBytes) this.#bytes -= free[drop++]!.byteLength;
    free.splice(0, drop);
  }

  /** A whole pooled buffer of `min` to `max` bytes (default min + min/4; newest first), or undefined. Takes
   *  lent buffers back when none is held: the owner needs its memory again. */
  take(min: number, max = min + (min >>> 2)): Buffer | undefined {
    const ab = this.takeMemory(min, max);
    return ab === undefined ? undefined : Buffer.from(ab);
  }

  /** As take(), the memory itself. */
  takeMemory(min: number, max = min + (min >>> 2)): PooledMemory | undefined {
    this.#takes++;
    const found = this.#find(min, max);
    if (found !== undefined || this.#lentBytes === 0) return found;
    this.#reclaim();
    return this.#find(min, max);
  }

  #find(min: number, max: number): PooledMemory | undefined {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const ab = free[i]!;
      if (ab.byteLength >= min && ab.byteLength <= max) {
        free[i] = free[free.length - 1]!;
        free.pop();
        this.#bytes -= ab.byteLength;
        return ab;
      }
    }
    return undefined;
  }

  /** Offers the whole ArrayBuffer behind `buf` for reuse; the caller must never touch it again. */
  give(buf: Uint8Array | Int32Array | Float64Array): void {
    this.#hold(buf.buffer);
  }

  #hold(ab: PooledMemory): void {
    const poolable = ab instanceof ArrayBuffer || (ab instanceof SharedArrayBuffer && ownShared.has(ab));
    if (!poolable || ab.byteLength < this.#minPooled) return;
    if (this.#bytes + this.#lentBytes + ab.byteLength > this.#maxBytes) return;
    this.#free.push(ab);
    this.#bytes += ab.byteLength;
  }

  /**
   * Lends every held buffer of at least `minBytes` to `borrower`, which may use them until this pool asks for
   * them back (`borrower.returnAll`, when the owner takes memory again or the cap shrinks).
   */
  lend(borrower: Borrower, minBytes: number): PooledMemory[] {
    const out: PooledMemory[] = [];
    const keep: PooledMemory[] = [];
    for (const ab of this.#free) (ab.byteLength >= minBytes ? out : keep).push(ab);
    if (out.length === 0) return out;
    this.#free.length = 0;
    this.#free.push(...keep);
    for (const ab of out) {
      this.#bytes -= ab.byteLength;
      this.#lentBytes += ab.byteLength;
    }
    this.#borrowers.add(borrower);
    return out;
  }

  /** A borrower hands back a buffer it borrowed (and no longer touches); held again if it fits under the cap. */
  giveBack(ab: PooledMemory): void {
    this.#lentBytes -= ab.byteLength;
    this.#hold(ab);
  }

  /** Asks every borrower for everything lent. */
  #reclaim(): void {
    const borrowers = [...this.#borrowers];
    this.#borrowers.clear();
    for (const b of borrowers) b.returnAll(this);
  }

  /** A borrower that gave back everything of its own accord (closing) is no longer asked. */
  forget(borrower: Borrower): void {
    this.#borrowers.delete(borrower);
  }
}

/**
 * The process-wide pool for write-batch buffers and memtable slabs. Its cap starts at 0 and is raised by each
 * open database by its memtable size (`reserveWriteMemory` in memtable.ts): about one memtable's worth each.
 */
export const writeBuffers = new BufferPool(0);

/**
 * The process-wide pool for encoded write batches (unshared memory): WriteBatch grows into and copies out to its
 * buffers, and the engine gives back each copy once the WAL and the memtable hold its bytes (ADR 0025). A few
 * batches' worth: a batch in flight, the next one filling.
 */
export const batchBuffers = new BufferPool(4 * 1024 * 1024);

/**
 * The process-wide pool for memtables' per-entry arrays (shared memory, matched by exact byte length: an
 * Int32Array of 2n entries and a Float64Array of n are interchangeable). Its cap is raised by 3/4 of each open
 * database's memtable size (`reserveWriteMemory`).
 */
export const entryArrays = new BufferPool(0, 0);
