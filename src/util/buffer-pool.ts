// BufferPool: hands the large buffers of flushed memtables (adopted write batches, 1 MiB slabs) back out for
// new write batches and slabs. A fill writes every key and value into memory it has never touched before
// otherwise: each new batch buffer is fresh from malloc, and the page faults and cache misses of that first
// touch were ~25% of fillseq (perf: page faults 11%, memmove into the batch 15%). The dead batches also waited
// for a major GC to be freed, which made the heap grow meanwhile.
//
// Invariant: a buffer is given only when nothing can read or write it any more (a retired memtable with no
// open cursor: memtable.ts; a WriteBatch never writes into bytes it handed out: write-batch.ts). Only whole
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
  const sab = new SharedArrayBuffer(n);
  ownShared.add(sab);
  return Buffer.from(sab);
}

export class BufferPool {
  #maxBytes: number;
  readonly #free: (ArrayBuffer | SharedArrayBuffer)[] = [];
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The most bytes held for reuse. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Raises the cap by `bytes` (≥ 0). */
  grow(bytes: number): void {
    this.#maxBytes += bytes;
  }

  /** Lowers the cap by `bytes` (≥ 0) and drops held buffers until the rest fit under it. */
  shrink(bytes: number): void {
    this.#maxBytes = Math.max(0, this.#maxBytes - bytes);
    const free = this.#free;
    let drop = 0;
    while (this.#bytes > this.#maxBytes) this.#bytes -= free[drop++]!.byteLength;
    free.splice(0, drop);
  }

  /** A whole pooled buffer of `min` to min + min/4 bytes (newest first), or undefined. */
  take(min: number): Buffer | undefined {
    const free = this.#free;
    const max = min + (min >>> 2);
    for (let i = free.length - 1; i >= 0; i--) {
      const ab = free[i]!;
      if (ab.byteLength >= min && ab.byteLength <= max) {
        free[i] = free[free.length - 1]!;
        free.pop();
        this.#bytes -= ab.byteLength;
        return Buffer.from(ab);
      }
    }
    return undefined;
  }

  /** Offers the whole ArrayBuffer behind `buf` for reuse; the caller must never touch it again. */
  give(buf: Uint8Array): void {
    const ab = buf.buffer;
    const poolable = ab instanceof ArrayBuffer || (ab instanceof SharedArrayBuffer && ownShared.has(ab));
    if (!poolable || ab.byteLength < MIN_POOLED) return;
    if (this.#bytes + ab.byteLength > this.#maxBytes) return;
    this.#free.push(ab);
    this.#bytes += ab.byteLength;
  }
}

/**
 * The process-wide pool for write-batch buffers and memtable slabs. Its cap starts at 0 and is raised by each
 * open database by its memtable size (`reserveWriteMemory` in memtable.ts): about one memtable's worth each.
 */
export const writeBuffers = new BufferPool(0);
