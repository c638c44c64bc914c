// WriteBatch: an ordered list of puts and deletes applied atomically. It keeps its operations already encoded
// in the batch format of ../format/batch.ts (the WAL payload), so writing it costs at most one copy (none when
// its buffer is mostly used: the engine takes the buffer and the batch copies on its next change).
// Validation happens in put()/delete(): a batch only ever holds valid operations.
import { BATCH_COUNT_OFFSET, BATCH_HEADER_SIZE } from '../format/batch.js';
import { Kind } from '../format/keys.js';
import { putFixed32, putVarint, varintLength } from '../util/coding.js';
import { keyByteLength, valueByteLength, type KeyLike } from '../keys/user-key.js';
import { growBuffer } from '../util/bytes.js';
import { sharedBuffer, writeBuffers } from '../util/buffer-pool.js';

/** Capacity a new batch starts with; small batches (single operations, small groups) never grow past it. */
const INITIAL_CAPACITY = 256;

/**
 * The encoded size of the last batch handed to the engine that outgrew INITIAL_CAPACITY, or 0. A growing batch
 * that reaches 1/64 of this size jumps to it (plus 1/16) instead of doubling on: applications tend to write
 * batches of one size again and again, and doubling from 256 bytes copied each batch's bytes about twice
 * over in up to ten allocations (fillseq probe: medians 786k vs 744k keys/s with the jump). The jump takes a
 * recycled buffer when the pool has one (ADR 0013). Process-wide and advisory only: a wrong hint costs one
 * copy or some unused capacity, never correctness.
 */
let grownSizeHint = 0;

export class WriteBatch {
  #rep: Buffer;
  #size = BATCH_HEADER_SIZE;
  #count = 0;
  /** True after takeEncoded() handed #rep to the engine, which may recycle its whole buffer once flushed
   *  (util/buffer-pool.ts): the batch never writes into it again (clear() and the next put() or delete()
   *  take a new buffer; a second takeEncoded() copies). */
  #shared = false;

  constructor() {
    this.#rep = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  /** Number of operations in the batch. */
  get length(): number {
    return this.#count;
  }

  /** Encoded size in bytes (what the WAL record will hold). */
  get byteLength(): number {
    return this.#size;
  }

  /** Adds a put. @throws INVALID_ARGUMENT for an empty, oversized or wrongly typed key or value. */
  put(key: KeyLike, value: KeyLike): this {
    const kLen = keyByteLength(key);
    const vLen = valueByteLength(value);
    if (this.#shared) this.#unshare();
    this.#reserve(1 + varintLength(kLen) + kLen + varintLength(vLen) + vLen);
    const rep = this.#rep;
    let p = this.#size;
    rep[p++] = Kind.Value;
    p = putVarint(rep, p, kLen);
    p += typeof key === 'string' ? rep.write(key, p, 'utf8') : copyInto(rep, p, key);
    p = putVarint(rep, p, vLen);
    p += typeof value === 'string' ? rep.write(value, p, 'utf8') : copyInto(rep, p, value);
    this.#size = p;
    this.#count++;
    return this;
  }

  /** Adds a delete. @throws INVALID_ARGUMENT for an empty, oversized or wrongly typed key. */
  delete(key: KeyLike): this {
    const kLen = keyByteLength(key);
    if (this.#shared) this.#unshare();
    this.#reserve(1 + varintLength(kLen) + kLen);
    const rep = this.#rep;
    let p = this.#size;
    rep[p++] = Kind.Delete;
    p = putVarint(rep, p, kLen);
    p += typeof key === 'string' ? rep.write(key, p, 'utf8') : copyInto(rep, p, key);
    this.#size = p;
    this.#count++;
    return this;
  }

  /** Removes every operation. */
  clear(): this {
    if (this.#shared) {
      this.#rep = Buffer.allocUnsafe(INITIAL_CAPACITY);
      this.#shared = false;
    }
    this.#size = BATCH_HEADER_SIZE;
    this.#count = 0;
    return this;
  }

  /**
   * A private copy of the encoded batch (header count filled, sequence zero), for the write path.
   * @internal
   */
  encodeCopy(): Buffer {
    const out = Buffer.allocUnsafe(this.#size);
    out.set(this.#rep.subarray(0, this.#size)); // TypedArray#set: Buffer#copy has a slow JS wrapper
    out.fill(0, 0, 8);
    putFixed32(out, BATCH_COUNT_OFFSET, this.#count);
    return out;
  }

  /**
   * The encoded batch (header zeroed, count set) for the engine to keep: no copy when the buffer is at most a
   * quarter unused, else an exact copy. The buffer handed out is never written by this batch again: clear(),
   * put() and delete() move to a buffer of their own first, and a second hand-out copies, since the engine
   * writes the sequence number into the header of the buffer it holds and recycles the whole buffer after
   * the flush.
   */
  takeEncoded(): Buffer {
    const size = this.#size;
    if (size > INITIAL_CAPACITY) grownSizeHint = size;
    if (this.#shared || this.#rep.length - size > size >>> 2) return this.encodeCopy();
    const rep = this.#rep;
    rep.fill(0, 0, 8);
    putFixed32(rep, BATCH_COUNT_OFFSET, this.#count);
    this.#shared = true;
    return rep.subarray(0, size);
  }

  /** Moves the operations out of a buffer handed to the engine into one of the batch's own. */
  #unshare(): void {
    const size = this.#size;
    const next = Buffer.allocUnsafe(Math.max(INITIAL_CAPACITY, size + (size >>> 1)));
    next.set(this.#rep.subarray(0, size));
    this.#rep = next;
    this.#shared = false;
  }

  #reserve(extra: number): void {
    const need = this.#size + extra;
    const rep = this.#rep;
    if (need <= rep.length) return;
    // Jump once the batch has reached 1/64 of the hint: a batch that stays far smaller never allocates it.
    if (grownSizeHint > need && need * 64 >= grownSizeHint) {
      const cap = grownSizeHint + (grownSizeHint >>> 4); // slack: sizes vary a little
      const next = writeBuffers.take(cap) ?? sharedBuffer(cap); // shared: a flush worker reads it (ADR 0016)
      next.set(rep.subarray(0, this.#size));
      this.#rep = next;
    } else {
      this.#rep = growBuffer(rep, this.#size, need);
    }
  }
}

function copyInto(dst: Buffer, off: number, src: Uint8Array): number {
  dst.set(src, off);
  return src.byteLength;
}

/** Encodes one put or delete as a complete batch (the single-operation write path). */
export function encodeSingle(kind: Kind, key: KeyLike, value: KeyLike | undefined): Buffer {
  const kLen = keyByteLength(key);
  const vLen = kind === Kind.Value ? valueByteLength(value) : 0;
  const size =
    BATCH_HEADER_SIZE + 1 + varintLength(kLen) + kLen + (kind === Kind.Value ? varintLength(vLen) + vLen : 0);
  const rep = Buffer.allocUnsafe(size);
  rep.fill(0, 0, 8);
  putFixed32(rep, BATCH_COUNT_OFFSET, 1);
  let p = BATCH_HEADER_SIZE;
  rep[p++] = kind;
  p = putVarint(rep, p, kLen);
  p += typeof key === 'string' ? rep.write(key, p, 'utf8') : copyInto(rep, p, key);
  if (kind === Kind.Value) {
    p = putVarint(rep, p, vLen);
    if (typeof value === 'string') rep.write(value, p, 'utf8');
    else copyInto(rep, p, value as Uint8Array);
  }
  return rep;
}
