// The memtable: every write not yet in a table, ordered by internal key on demand.
//
// Layout (docs/adr/0002-memtable.md): no per-key heap objects. Every distinct key has an id; its bytes stay
// where addBatch copied them (a 1 MiB slab, or a shared buffer of its own for a large batch) and typed
// arrays hold its location (kSlab, kOff, kLen) and the index of its newest version (kHead). Versions are
// entries in parallel typed arrays (seq, next-older entry, value slab/offset/length, slab -1 for a deletion).
// A key is found through an open-addressing hash table over typed arrays (two int32 per slot: id + 1 and the
// key's memtableHash; linear probing, load <= 1/2). memtableHash is HalfSipHash-1-3 under a random
// per-process key, not the bloom filters' hash (whose seed the file format fixes and publishes): keys crafted
// to share that one would all land in one probe run. Append-only memtables hash nothing until they leave
// that mode.
// Order is produced lazily: ids of keys added since the last sort wait in #pending; sortedKeyIds() sorts them
// by their bytes (key-sort.ts) and merges them into a NEW array, so an array handed out earlier never changes
// (iterators keep a stable view; later versions of a key carry higher sequence numbers, invisible to them).
// Sequential loads skip the hash table: while every write adds a key greater than all before (#appendOnly),
// key id i is entry i, ids are in key order, and lookups check the key range and binary-search the ids; the
// first write that breaks the order indexes every key once. A frozen append-only memtable is not indexed:
// building the index took 4% of a sequential fill's main-thread time, and reads of a sequential load are
// rare until it is flushed.
//
// Invariants: versions of a key are chained newest first (strictly decreasing seq); entries are never modified
// or removed, only appended; a reader at sequence S ignores versions with seq > S; the hash table holds every
// key id when !#appendOnly and none while #appendOnly.
import { Kind } from '../format/keys.js';
import { LookupResult } from '../keys/lookup-result.js';
import { BATCH_HEADER_SIZE } from '../format/batch.js';
import { getVarint } from '../util/coding.js';
import { binaryString, copyBytes, copyRange } from '../util/bytes.js';
import { entryArrays, sharedBuffer, sharedMemory, writeBuffers } from '../util/buffer-pool.js';
import { giveScratch, takeScratch } from '../util/scratch.js';
import { randomBytes } from 'node:crypto';
import { halfSipHashBinary, halfSipHashBytes } from '../util/key-hash.js';
import { compareKeys, sortKeyIds, type KeyTable } from './key-sort.js';
import type { SharedBatches } from './shared-batches.js';

const SLAB_SIZE = 1024 * 1024;
/** A batch at least this large is copied into a shared buffer of its own instead of into the current slab. */
const OWN_BUFFER_SIZE = 64 * 1024;
/** Estimated bytes per key beyond its bytes and value (key and entry arrays, hash slots, order arrays). */
const ENTRY_OVERHEAD = 64;
/** Estimated bytes per extra version of a key. */
const VERSION_OVERHEAD = 32;

/** Secret key of memtableHash, drawn once per process. */
const SEED = randomBytes(8);
const K0 = SEED.readInt32LE(0);
const K1 = SEED.readInt32LE(4);

/** The memtable hash of a binary-string key (pass it to get() and find() when looking up several memtables). */
export function memtableHash(key: string): number {
  return halfSipHashBinary(key, K0, K1);
}

/** Final mix of a 32-bit hash before it picks a slot (murmur3's fmix32). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Raises the caps of the pools that recycle memtable memory (write-batch buffers and slabs: `memtableSize`;
 * per-entry arrays: 3/4 of it, 40 bytes per entry being about 2/5 of a memtable of 116-byte entries and more
 * of one of smaller entries) while a database with memtables of that size is open, so that the pools hold about
 * the next memtable's memory per open database and no more. The returned function lowers them again (and drops
 * what no longer fits); calling it twice lowers them once.
 */
export function reserveWriteMemory(memtableSize: number): () => void {
  const arrayBytes = Math.floor((memtableSize * 3) / 4);
  writeBuffers.grow(memtableSize);
  entryArrays.grow(arrayBytes);
  let reserved = true;
  return () => {
    if (!reserved) return;
    reserved = false;
    writeBuffers.shrink(memtableSize);
    entryArrays.shrink(arrayBytes);
  };
}

// Per-key and per-entry arrays live in shared memory, so that a flush worker reads them in place (ADR 0016),
// and a retired memtable's arrays are reused by the next memtable of the same size (`entryArrays`): they were
// otherwise freed only once both the main thread and the flush worker had collected their last reference, and
// a 1M-key fill held eleven memtables' arrays at its peak (heaptrack). Reused arrays keep old contents: every
// slot is written before it is read (key ids below #keys, entries below #count).
const sharedInt32 = (n: number): Int32Array =>
  new Int32Array(entryArrays.takeMemory(4 * n, 4 * n) ?? sharedMemory(4 * n));
const sharedFloat64 = (n: number): Float64Array =>
  new Float64Array(entryArrays.takeMemory(8 * n, 8 * n) ?? sharedMemory(8 * n));

/**
 * A zeroed hash table of `slots` slots (two int32 each) on this thread's scratch buffers (util/scratch.ts): a
 * table outgrown or retired goes back there, and the next memtable reuses it. Freed instead, a retired 16 MiB
 * memtable's tables (up to 4 MiB each) were the first multi-MiB malloc'd chunks the process freed, and glibc
 * then raises its mmap threshold (ADR 0021).
 */
export const newTable = (slots: number): Int32Array =>
  new Int32Array(takeScratch(8 * slots), 0, 2 * slots).fill(0);

/**
 * Array length for about `keys` keys: 1/8 more, rounded up to a multiple of 1/8 of its power of two, so that
 * memtables of about the same key count ask for the same length (the pool matches lengths exactly). Powers of
 * two alone wasted up to half: 10 MiB of arrays for the 145k entries of a 16 MiB memtable, 6.25 MiB now.
 */
export function capacityFor(keys: number): number {
  if (keys <= 1024) return 1024;
  const want = keys + (keys >>> 3);
  const step = 2 ** (Math.floor(Math.log2(want)) - 3);
  return Math.ceil(want / step) * step;
}

function grown<T extends Int32Array | Float64Array>(a: T, n: number, make: (n: number) => T): T {
  const b = make(n);
  b.set(a);
  return b;
}

export class Memtable {
  // Per key id.
  #keys = 0;
  #kSlab: Int32Array;
  #kOff: Int32Array;
  #kLen: Int32Array;
  #kHead: Int32Array;
  // Per entry (version).
  #count = 0;
  #seq: Float64Array;
  #next: Int32Array;
  #slab: Int32Array; // slab number of the value; -1 for a deletion
  #vOff: Int32Array;
  #vLen: Int32Array;
  /** Hash index: slot j is table[2j] = key id + 1 (0 = empty), table[2j + 1] = the key's hash. */
  #table: Int32Array = newTable(1024);
  #mask = 1023;
  #slabs: Buffer[] = [];
  /** Open cursors (MemtableCursor) reading this memtable. */
  #readers = 0;
  /** Set by retire(): the memtable left the database (flushed); its slabs go to the pool with the last reader. */
  #retired = false;
  #cur: Buffer = Buffer.allocUnsafe(0);
  /** Index of #cur in #slabs (large batches' own buffers are pushed after it). */
  #curNo = -1;
  #curPos = 0;
  #bytes = 0;
  /** Key ids in key order (never modified once made); with #pending, every key id exactly once. */
  #sorted: Int32Array = new Int32Array(0);
  #pending: Int32Array = new Int32Array(256);
  #pendingCount = 0;
  /** identity[i] = i for i < its length, filled as sortedKeyIds() needs it: the order while #appendOnly
   *  (values never change once written, so views of it are stable). */
  #identity: Int32Array = new Int32Array(0);
  #maxSeq = 0;
  /** Every batch added, in order: where its encoded bytes sit (slab, offset, length) and its first seq. */
  #batchSlab = new Int32Array(256);
  #batchOff = new Int32Array(256);
  #batchLen = new Int32Array(256);
  #batchSeq = new Float64Array(256);
  #batchCount = 0;
  /** True while every entry added a new key greater than all before it (sequential loads): then entry i is the
   *  only version of key id i, and ids are in key order, so order needs no sort. */
  #appendOnly = true;
  #minSeq = Number.MAX_SAFE_INTEGER;
  /** Made by frozenOver(): a read-only view of another thread's memtable. */
  #frozenView = false;
  /** A frozen view whose key order went back to scratch memory: its order must not be read. */
  #viewReleased = false;

  /** Number of the WAL holding this memtable's writes. */
  readonly walNumber: number;

  /**
   * `expectedKeys` sizes the arrays up front (the database passes the key count of the memtable this one
   * replaces): growing them by doubling copied about as many bytes again and was 5% of a sequential fill.
   */
  constructor(walNumber: number, expectedKeys = 0) {
    this.walNumber = walNumber;
    const n = capacityFor(expectedKeys);
    this.#kSlab = sharedInt32(n);
    this.#kOff = sharedInt32(n);
    this.#kLen = sharedInt32(n);
    this.#kHead = sharedInt32(n);
    this.#seq = sharedFloat64(n);
    this.#next = sharedInt32(n);
    this.#slab = sharedInt32(n);
    this.#vOff = sharedInt32(n);
    this.#vLen = sharedInt32(n);
  }

  /** Approximate memory held, in bytes (compared with memtableSize). */
  get approximateBytes(): number {
    return this.#bytes + this.#curPos;
  }
  get entryCount(): number {
    return this.#count;
  }
  get keyCount(): number {
    return this.#keys;
  }
  get isEmpty(): boolean {
    return this.#count === 0;
  }
  get maxSeq(): number {
    return this.#maxSeq;
  }
  get minSeq(): number {
    return this.#minSeq;
  }

  /**
   * Applies every record of an encoded batch rep[0, len) (already validated), numbering them from `seq`. The
   * bytes are copied into the memtable's shared memory (a flush worker reads them there, ADR 0016): the caller
   * keeps `rep`.
   */
  addBatch(rep: Uint8Array, len: number, seq: number): void {
    let slabNo: number;
    let base: number;
    let src: Buffer;
    if (len >= OWN_BUFFER_SIZE) {
      src = writeBuffers.take(len) ?? sharedBuffer(len);
      copyRange(src, 0, rep, 0, len);
      slabNo = this.#slabs.length;
      this.#slabs.push(src);
      base = 0;
      this.#bytes += len;
    } else {
      if (this.#curPos + len > this.#cur.length) this.#newSlab();
      slabNo = this.#curNo; // not the last slab when a large batch got its own buffer after #cur was started
      src = this.#cur;
      base = this.#curPos;
      copyRange(src, base, rep, 0, len);
      this.#curPos += len;
    }
    this.#recordBatch(slabNo, base, len, seq);
    const cur = { pos: 0 };
    let p = base + BATCH_HEADER_SIZE;
    const end = base + len;
    while (p < end) {
      const kind = src[p++]!;
      const kLen = getVarint(src, p, end, cur);
      const kStart = cur.pos;
      p = kStart + kLen;
      if (kind === Kind.Value) {
        const vLen = getVarint(src, p, end, cur);
        this.#add(src, slabNo, kStart, kLen, seq++, slabNo, cur.pos, vLen);
        p = cur.pos + vLen;
      } else {
        this.#add(src, slabNo, kStart, kLen, seq++, -1, 0, 0);
      }
    }
  }

  #recordBatch(slab: number, off: number, len: number, seq: number): void {
    const n = this.#batchCount;
    if (n === this.#batchSlab.length) {
      this.#batchSlab = grown(this.#batchSlab, 2 * n, (k) => new Int32Array(k));
      this.#batchOff = grown(this.#batchOff, 2 * n, (k) => new Int32Array(k));
      this.#batchLen = grown(this.#batchLen, 2 * n, (k) => new Int32Array(k));
      this.#batchSeq = grown(this.#batchSeq, 2 * n, (k) => new Float64Array(k));
    }
    this.#batchSlab[n] = slab;
    this.#batchOff[n] = off;
    this.#batchLen[n] = len;
    this.#batchSeq[n] = seq;
    this.#batchCount = n + 1;
  }

  /**
   * The frozen memtable that `b` describes, over the sender's shared memory (ADR 0016: a flush worker's view;
   * nothing is copied). Only for reading its keys in order and their versions (writeLevel0Table): never add
   * to it. Throws an Error when the index points outside the buffers (a bug in this process, not damage on
   * disk).
   */
  static frozenOver(b: SharedBatches): Memtable {
    const ix = b.index;
    if (ix === undefined) throw new Error('malformed shared memtable: no key index');
    const m = new Memtable(0);
    m.#slabs = b.buffers.map((sab, r) => Buffer.from(sab, b.regionOffsets[r]!, b.regionLengths[r]!));
    const slabs = m.#slabs;
    const fits = (slab: number, off: number, len: number): boolean =>
      slab >= 0 && slab < slabs.length && off >= 0 && len >= 0 && off + len <= slabs[slab]!.length;
    for (let id = 0; id < ix.keys; id++) {
      const h = ix.kHead[id]!;
      if (!fits(ix.kSlab[id]!, ix.kOff[id]!, ix.kLen[id]!) || h < 0 || h >= ix.count)
        throw new Error(`malformed shared memtable: key ${id}`);
    }
    for (let e = 0; e < ix.count; e++) {
      const next = ix.next[e]!;
      if ((ix.slab[e] !== -1 && !fits(ix.slab[e]!, ix.vOff[e]!, ix.vLen[e]!)) || next < -1 || next >= e)
        throw new Error(`malformed shared memtable: entry ${e}`);
    }
    m.#keys = ix.keys;
    m.#count = ix.count;
    m.#kSlab = ix.kSlab;
    m.#kOff = ix.kOff;
    m.#kLen = ix.kLen;
    m.#kHead = ix.kHead;
    m.#seq = ix.seq;
    m.#next = ix.next;
    m.#slab = ix.slab;
    m.#vOff = ix.vOff;
    m.#vLen = ix.vLen;
    m.#appendOnly = false;
    // Sorted now, in scratch memory that releaseFrozenView() gives back (ADR 0017).
    const sorted = new Int32Array(takeScratch(4 * ix.keys), 0, ix.keys);
    for (let id = 0; id < ix.keys; id++) sorted[id] = id;
    sortKeyIds({ slabs, slab: m.#kSlab, off: m.#kOff, len: m.#kLen }, sorted);
    m.#sorted = sorted;
    m.#frozenView = true;
    return m;
  }

  /** Gives the key order of a view made by frozenOver() back to util/scratch.ts once nothing reads the view;
   *  the view is not to be used again. */
  releaseFrozenView(): void {
    if (!this.#frozenView) throw new Error('releaseFrozenView: not a frozen view');
    giveScratch(this.#sorted.buffer);
    this.#sorted = new Int32Array(0);
    this.#frozenView = false;
    this.#viewReleased = true;
  }

  /**
   * Every batch of this memtable for a flush worker (ADR 0016): its slabs and large batches' own buffers as
   * regions of SharedArrayBuffers, and the batches in the order they were added. Every slab is shared memory:
   * addBatch copies each batch into a buffer from `writeBuffers` or sharedBuffer(), and `writeBuffers` only
   * ever receives retired memtables' slabs (ADR 0025). The regions are this memtable's own bytes: the memtable
   * must not be retired until the worker is done with them.
   */
  sharedBatches(): SharedBatches {
    const slabs = this.#slabs;
    const buffers: SharedArrayBuffer[] = [];
    const regionOffsets = new Float64Array(slabs.length);
    const regionLengths = new Float64Array(slabs.length);
    for (let r = 0; r < slabs.length; r++) {
      const slab = slabs[r]!;
      buffers.push(slab.buffer as SharedArrayBuffer);
      regionOffsets[r] = slab.byteOffset;
      regionLengths[r] = slab.length;
    }
    const n = this.#batchCount;
    const keys = this.#keys;
    const count = this.#count;
    return {
      inKeyOrder: this.#appendOnly,
      index: this.#appendOnly
        ? undefined
        : {
            keys,
            count,
            kSlab: this.#kSlab.subarray(0, keys),
            kOff: this.#kOff.subarray(0, keys),
            kLen: this.#kLen.subarray(0, keys),
            kHead: this.#kHead.subarray(0, keys),
            seq: this.#seq.subarray(0, count),
            next: this.#next.subarray(0, count),
            slab: this.#slab.subarray(0, count),
            vOff: this.#vOff.subarray(0, count),
            vLen: this.#vLen.subarray(0, count),
          },
      buffers,
      regionOffsets,
      regionLengths,
      batchRegion: this.#batchSlab.slice(0, n),
      batchOffset: this.#batchOff.slice(0, n),
      batchLength: this.#batchLen.slice(0, n),
      batchSeq: this.#batchSeq.slice(0, n),
    };
  }

  /** A cursor starts reading this memtable's bytes (pair with releaseReader()). */
  acquireReader(): void {
    if (this.#retired && this.#slabs.length === 0)
      throw new Error('memtable read after its buffers were recycled');
    this.#readers++;
  }

  /** A cursor stopped reading; the last one of a retired memtable recycles its buffers. */
  releaseReader(): void {
    if (--this.#readers === 0 && this.#retired) this.#recycle();
  }

  /**
   * The database no longer reads this memtable (its flush is installed) and will never add to it: its slabs
   * and large batches' own buffers go to the write-buffer pool once no cursor reads it. Reading it afterwards
   * fails loudly (the slab list is emptied) instead of returning recycled bytes.
   */
  retire(): void {
    this.#retired = true;
    if (this.#readers === 0) this.#recycle();
  }

  #recycle(): void {
    for (const slab of this.#slabs) writeBuffers.give(slab);
    this.#slabs = [];
    for (const a of [
      this.#kSlab,
      this.#kOff,
      this.#kLen,
      this.#kHead,
      this.#next,
      this.#slab,
      this.#vOff,
      this.#vLen,
      this.#seq,
    ])
      entryArrays.give(a);
    // Empty, so that a read after recycling fails instead of finding another memtable's entries.
    this.#kSlab = this.#kOff = this.#kLen = this.#kHead = new Int32Array(0);
    this.#next = this.#slab = this.#vOff = this.#vLen = new Int32Array(0);
    this.#seq = new Float64Array(0);
    this.#cur = Buffer.allocUnsafe(0);
    giveScratch(this.#table.buffer);
    this.#table = new Int32Array(2); // one empty slot: every lookup misses
    this.#mask = 0;
  }

  #newSlab(): void {
    this.#bytes += this.#curPos; // the used part of the slab being retired
    this.#cur = writeBuffers.take(SLAB_SIZE) ?? sharedBuffer(SLAB_SIZE);
    this.#curPos = 0;
    this.#curNo = this.#slabs.length;
    this.#slabs.push(this.#cur);
  }

  /** Adds a version of the key src[kStart, kStart + kLen) (src is slab kSlab). */
  #add(
    src: Buffer,
    kSlab: number,
    kStart: number,
    kLen: number,
    seq: number,
    slab: number,
    vOff: number,
    vLen: number,
  ): void {
    const i = this.#count;
    if (i === this.#seq.length) this.#growEntries();
    if (this.#appendOnly) {
      if (i === 0 || this.#compareToBytes(i - 1, src, kStart, kLen) < 0) {
        this.#newKey(kSlab, kStart, kLen, i);
        this.#next[i] = -1;
        this.#setEntry(i, seq, slab, vOff, vLen);
        return;
      }
      this.#leaveAppendOnly();
    }
    if (2 * (this.#keys + 1) > this.#mask + 1) this.#growTable();
    const hash = halfSipHashBytes(src, kStart, kStart + kLen, K0, K1);
    const table = this.#table;
    const mask = this.#mask;
    let j = mix(hash) & mask;
    for (;;) {
      const slot = table[2 * j]!;
      if (slot === 0) break;
      const id = slot - 1;
      if (
        table[2 * j + 1] === hash &&
        this.#kLen[id] === kLen &&
        this.#compareToBytes(id, src, kStart, kLen) === 0
      ) {
        this.#next[i] = this.#kHead[id]!;
        this.#kHead[id] = i;
        this.#bytes += VERSION_OVERHEAD;
        this.#setEntry(i, seq, slab, vOff, vLen);
        return;
      }
      j = (j + 1) & mask;
    }
    const id = this.#newKey(kSlab, kStart, kLen, i);
    table[2 * j] = id + 1;
    table[2 * j + 1] = hash;
    if (this.#pendingCount === this.#pending.length)
      this.#pending = grown(this.#pending, 2 * this.#pendingCount, (k) => new Int32Array(k));
    this.#pending[this.#pendingCount++] = id;
    this.#next[i] = -1;
    this.#setEntry(i, seq, slab, vOff, vLen);
  }

  #newKey(kSlab: number, kStart: number, kLen: number, head: number): number {
    const id = this.#keys;
    if (id === this.#kSlab.length) {
      const n = 2 * id;
      this.#kSlab = grown(this.#kSlab, n, sharedInt32);
      this.#kOff = grown(this.#kOff, n, sharedInt32);
      this.#kLen = grown(this.#kLen, n, sharedInt32);
      this.#kHead = grown(this.#kHead, n, sharedInt32);
    }
    this.#kSlab[id] = kSlab;
    this.#kOff[id] = kStart;
    this.#kLen[id] = kLen;
    this.#kHead[id] = head;
    this.#keys = id + 1;
    this.#bytes += kLen + ENTRY_OVERHEAD;
    return id;
  }

  #setEntry(i: number, seq: number, slab: number, vOff: number, vLen: number): void {
    this.#seq[i] = seq;
    this.#slab[i] = slab;
    this.#vOff[i] = vOff;
    this.#vLen[i] = vLen;
    this.#count = i + 1;
    if (seq > this.#maxSeq) this.#maxSeq = seq;
    if (seq < this.#minSeq) this.#minSeq = seq;
  }

  /** Bytewise comparison of key `id` with src[kStart, kStart + kLen): negative, 0 or positive. */
  #compareToBytes(id: number, src: Buffer, kStart: number, kLen: number): number {
    const s = this.#slabs[this.#kSlab[id]!]!;
    const o = this.#kOff[id]!;
    const l = this.#kLen[id]!;
    const n = l < kLen ? l : kLen;
    for (let j = 0; j < n; j++) {
      const d = s[o + j]! - src[kStart + j]!;
      if (d !== 0) return d;
    }
    return l - kLen;
  }

  /** Bytewise comparison of key `id` with the binary string `key`: negative, 0 or positive. */
  compareKeyTo(id: number, key: string): number {
    const s = this.#slabs[this.#kSlab[id]!]!;
    const o = this.#kOff[id]!;
    const l = this.#kLen[id]!;
    const n = l < key.length ? l : key.length;
    for (let j = 0; j < n; j++) {
      const d = s[o + j]! - key.charCodeAt(j);
      if (d !== 0) return d;
    }
    return l - key.length;
  }

  /** Puts every key into the (empty) hash table, sized for the memtable's expected key count. */
  #indexAll(): void {
    const slots = 2 ** Math.ceil(Math.log2(2 * Math.max(this.#keys, this.#kSlab.length)));
    giveScratch(this.#table.buffer);
    const table = (this.#table = newTable(slots));
    const mask = (this.#mask = slots - 1);
    const slabs = this.#slabs;
    for (let id = 0; id < this.#keys; id++) {
      const off = this.#kOff[id]!;
      const hash = halfSipHashBytes(slabs[this.#kSlab[id]!]!, off, off + this.#kLen[id]!, K0, K1);
      let j = mix(hash) & mask;
      while (table[2 * j] !== 0) j = (j + 1) & mask;
      table[2 * j] = id + 1;
      table[2 * j + 1] = hash;
    }
  }

  /** Doubles the hash table, moving every slot. */
  #growTable(): void {
    const old = this.#table;
    const slots = old.length; // twice the old slot count: two int32 per slot
    const table = newTable(slots);
    const mask = slots - 1;
    for (let j = 0; j < old.length; j += 2) {
      const slot = old[j]!;
      if (slot === 0) continue;
      const hash = old[j + 1]!;
      let k = mix(hash) & mask;
      while (table[2 * k] !== 0) k = (k + 1) & mask;
      table[2 * k] = slot;
      table[2 * k + 1] = hash;
    }
    this.#table = table;
    this.#mask = mask;
    giveScratch(old.buffer);
  }

  /** Indexes every key and leaves append-only mode; the keys so far are already in order. */
  #leaveAppendOnly(): void {
    this.#indexAll();
    this.#sorted = this.#identityPrefix(this.#keys);
    this.#pendingCount = 0;
    this.#appendOnly = false;
  }

  #growEntries(): void {
    const n = this.#seq.length * 2;
    this.#seq = grown(this.#seq, n, sharedFloat64);
    this.#next = grown(this.#next, n, sharedInt32);
    this.#slab = grown(this.#slab, n, sharedInt32);
    this.#vOff = grown(this.#vOff, n, sharedInt32);
    this.#vLen = grown(this.#vLen, n, sharedInt32);
  }

  /** Id of the binary-string key whose memtableHash is `hash`, or -1. */
  #idOf(key: string, hash: number): number {
    if (this.#appendOnly) return this.#appendIdOf(key);
    const h = hash | 0;
    const table = this.#table;
    const mask = this.#mask;
    let j = mix(h) & mask;
    for (;;) {
      const slot = table[2 * j]!;
      if (slot === 0) return -1;
      if (
        table[2 * j + 1] === h &&
        this.#kLen[slot - 1] === key.length &&
        this.compareKeyTo(slot - 1, key) === 0
      )
        return slot - 1;
      j = (j + 1) & mask;
    }
  }

  /** Id of `key` while append-only (ids are in key order: binary search), or -1. */
  #appendIdOf(key: string): number {
    let hi = this.#keys;
    if (hi === 0 || this.compareKeyTo(0, key) > 0 || this.compareKeyTo(hi - 1, key) < 0) return -1;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareKeyTo(mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.#keys && this.compareKeyTo(lo, key) === 0 ? lo : -1;
  }

  /** Index of the newest version of `key` with seq <= `seq`, or -1. `hash` is memtableHash(key). */
  find(key: string, seq: number, hash: number = memtableHash(key)): number {
    if (this.#kHead.length === 0) throw new Error('memtable read after its buffers were recycled');
    const id = this.#idOf(key, hash);
    if (id < 0) return -1;
    return this.visibleVersion(id, seq);
  }

  /** Index of the newest version of key `id` with seq <= `seq`, or -1. */
  visibleVersion(id: number, seq: number): number {
    let i = this.#kHead[id]!;
    while (i >= 0 && this.#seq[i]! > seq) i = this.#next[i]!;
    return i;
  }

  /** Newest version index of a key with no visibility limit, or -1. */
  newest(key: string): number {
    const id = this.#idOf(key, memtableHash(key));
    return id < 0 ? -1 : this.#kHead[id]!;
  }

  /** Newest version index of key `id`. */
  keyHead(id: number): number {
    return this.#kHead[id]!;
  }

  /** The binary string of key `id`. */
  keyString(id: number): string {
    const o = this.#kOff[id]!;
    return binaryString(this.#slabs[this.#kSlab[id]!]!, o, o + this.#kLen[id]!);
  }

  /** Next-older version of entry i, or -1. */
  older(i: number): number {
    return this.#next[i]!;
  }
  entrySeq(i: number): number {
    return this.#seq[i]!;
  }
  entryIsDeletion(i: number): boolean {
    return this.#slab[i]! < 0;
  }
  entryKind(i: number): Kind {
    return this.#slab[i]! < 0 ? Kind.Delete : Kind.Value;
  }
  /** A copy of entry i's value, owned by the caller. */
  entryValue(i: number): Buffer {
    const s = this.#slab[i]!;
    if (s < 0) return Buffer.alloc(0);
    const off = this.#vOff[i]!;
    const len = this.#vLen[i]!;
    return copyBytes(this.#slabs[s]!, off, off + len);
  }
  /** The slab holding entry i's value and its position (for table building without a copy). */
  entryValueSlab(i: number): Buffer {
    return this.#slabs[this.#slab[i]!]!;
  }
  entryValueOffset(i: number): number {
    return this.#vOff[i]!;
  }
  entryValueLength(i: number): number {
    return this.#vLen[i]!;
  }

  /** Looks `key` up at `seq`: NotFound, Deleted, or Found (and `out.value` holds a copy). `hash` = memtableHash(key). */
  get(
    key: string,
    seq: number,
    out: { value: Buffer | undefined },
    hash: number = memtableHash(key),
  ): LookupResult {
    const i = this.find(key, seq, hash);
    if (i < 0) return LookupResult.NotFound;
    if (this.#slab[i]! < 0) return LookupResult.Deleted;
    out.value = this.entryValue(i);
    return LookupResult.Found;
  }

  /** See #appendOnly: when true, entry i is the only version of key id i. */
  get isAppendOnly(): boolean {
    return this.#appendOnly;
  }

  /** A view of identity[0, n), filling and growing #identity as needed (earlier views keep their values). */
  #identityPrefix(n: number): Int32Array {
    let id = this.#identity;
    if (n > id.length) {
      const filled = id.length;
      id = this.#identity = grown(id, Math.max(n, 2 * filled, 1024), (k) => new Int32Array(k));
      for (let i = filled; i < id.length; i++) id[i] = i;
    }
    return id.subarray(0, n);
  }

  /**
   * Every key id in ascending key order. The returned array is never modified afterwards. New keys are sorted
   * and merged into a new array: when they are at least as many as the sorted ones, everything is sorted again
   * (a comparison per key costs cache misses, the packed sort mostly does not); else each new key's place is
   * binary-searched and the sorted runs between them are block-copied.
   */
  sortedKeyIds(): Int32Array {
    if (this.#viewReleased) throw new Error('memtable view read after releaseFrozenView()');
    if (this.#appendOnly) return this.#identityPrefix(this.#keys);
    const m = this.#pendingCount;
    if (m === 0) return this.#sorted;
    const t: KeyTable = { slabs: this.#slabs, slab: this.#kSlab, off: this.#kOff, len: this.#kLen };
    const old = this.#sorted;
    this.#pendingCount = 0;
    if (old.length <= m) {
      const all = new Int32Array(old.length + m);
      all.set(old);
      all.set(this.#pending.subarray(0, m), old.length);
      sortKeyIds(t, all);
      this.#sorted = all;
      return all;
    }
    const add = this.#pending.slice(0, m);
    sortKeyIds(t, add);
    const merged = new Int32Array(old.length + m);
    let i = 0;
    let k = 0;
    for (let j = 0; j < m; j++) {
      const id = add[j]!;
      let lo = i;
      let hi = old.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareKeys(t, old[mid]!, id) < 0) lo = mid + 1;
        else hi = mid;
      }
      merged.set(old.subarray(i, lo), k);
      k += lo - i;
      i = lo;
      merged[k++] = id;
    }
    merged.set(old.subarray(i), k);
    this.#sorted = merged;
    return merged;
  }

  /** All keys in ascending order, as binary strings (tests and tools). */
  sortedKeys(): string[] {
    return Array.from(this.sortedKeyIds(), (id) => this.keyString(id));
  }
}
