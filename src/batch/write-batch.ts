// WriteBatch: an ordered list of puts and deletes applied atomically. It keeps its operations already encoded
// in the batch format of ../format/batch.ts (the WAL payload), in unshared memory of its own: V8 copies keys
// and values into shared memory byte by byte at most alignments (util/bytes.ts). Writing a batch lends the
// engine a view of its bytes (lend) and the engine gives it back once the WAL and the memtable hold copies
// (giveBack), so a batch's memory is only ever its own: the engine never keeps or recycles it (ADR 0025).
// Invariant: while a view is lent, the batch never writes inside it (appending after it is fine; clear() moves
// to another buffer); a second lend meanwhile hands out a copy the engine owns.
// Validation happens in put()/delete(): a batch only ever holds valid operations.
import { BATCH_COUNT_OFFSET, BATCH_HEADER_SIZE } from '../format/batch.js';
import { Kind } from '../format/keys.js';
import { putFixed32, putVarint, varintLength } from '../util/coding.js';
import { keyByteLength, valueByteLength, type KeyLike } from '../keys/user-key.js';
import { growBuffer } from '../util/bytes.js';
import { batchBuffers, MIN_POOLED } from '../util/buffer-pool.js';

/** Capacity a new batch starts with; small batches (single operations, small groups) never grow past it. */
const INITIAL_CAPACITY = 256;

/**
 * The encoded size of the last batch handed to the engine that outgrew INITIAL_CAPACITY, or 0. A growing batch
 * that reaches 1/64 of this size jumps to it (plus 1/16) instead of doubling on: applications tend to write
 * batches of one size again and again, and doubling from 256 bytes copied each batch's bytes about twice
 * over in up to ten allocations (fillseq probe: medians 786k vs 744k keys/s with the jump). The jump takes a
 * recycled buffer when the pool has one. Process-wide and advisory only: a wrong hint costs one copy or some
 * unused capacity, never correctness.
 */
let grownSizeHint = 0;

/** A buffer of at least `n` bytes for batch bytes: a recycled one of n to 5n/4 bytes when the pool has one. */
function batchBuffer(n: number): Buffer {
  return (n >= MIN_POOLED ? batchBuffers.take(n) : undefined) ?? Buffer.allocUnsafe(n);
}

export class WriteBatch {
  #rep: Buffer;
  #size = BATCH_HEADER_SIZE;
  #count = 0;
  /** The view lent to the engine and not yet given back, and the buffer it is a view of. */
  #lent: Buffer | undefined;
  #lentFrom: Buffer | undefined;

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

  /** Removes every operation (the batch keeps its buffer for the next ones, unless the engine is reading it). */
  clear(): this {
    if (this.#lent !== undefined && this.#rep === this.#lentFrom) this.#rep = batchBuffer(this.#rep.length);
    this.#size = BATCH_HEADER_SIZE;
    this.#count = 0;
    return this;
  }

  /**
   * A copy of the encoded batch (header count filled, sequence zero) in a buffer the caller owns: a recycled one
   * when the pool has one (the engine gives its copies back to `batchBuffers`).
   * @internal
   */
  encodeCopy(): Buffer {
    const size = this.#size;
    const out = batchBuffer(size).subarray(0, size);
    out.set(this.#rep.subarray(0, size)); // unshared to unshared: TypedArray#set is a memcpy
    out.fill(0, 0, 8);
    putFixed32(out, BATCH_COUNT_OFFSET, this.#count);
    return out;
  }

  /**
   * The encoded batch (header count filled, sequence zero) for the write path, which may write the sequence
   * number into its header and must hand it back with giveBack() once nothing reads it. A view of the batch's
   * own buffer, or a copy if one is lent already. @internal
   */
  lend(): Buffer {
    const size = this.#size;
    if (size > INITIAL_CAPACITY) grownSizeHint = size;
    if (this.#lent !== undefined) return this.encodeCopy();
    const rep = this.#rep;
    rep.fill(0, 0, 8);
    putFixed32(rep, BATCH_COUNT_OFFSET, this.#count);
    this.#lent = rep.subarray(0, size);
    this.#lentFrom = rep;
    return this.#lent;
  }

  /** The engine is done with a buffer lend() returned. @internal */
  giveBack(rep: Buffer): void {
    if (rep !== this.#lent) {
      batchBuffers.give(rep); // a copy the engine owned
      return;
    }
    const from = this.#lentFrom!;
    this.#lent = this.#lentFrom = undefined;
    if (from !== this.#rep) batchBuffers.give(from); // the batch moved on (clear(), or it grew)
  }

  #reserve(extra: number): void {
    const need = this.#size + extra;
    const rep = this.#rep;
    if (need <= rep.length) return;
    // Jump once the batch has reached 1/64 of the hint: a batch that stays far smaller never allocates it.
    if (grownSizeHint > need && need * 64 >= grownSizeHint) {
      const next = batchBuffer(grownSizeHint + (grownSizeHint >>> 4)); // slack: sizes vary a little
      next.set(rep.subarray(0, this.#size));
      this.#rep = next;
    } else {
      this.#rep = growBuffer(rep, this.#size, need);
    }
    if (rep !== this.#lentFrom) batchBuffers.give(rep); // kept only if pooled-size (MIN_POOLED) and room
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
