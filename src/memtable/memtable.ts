// The memtable: every write not yet in a table, ordered by internal key on demand.
//
// Layout (docs/adr/0002-memtable.md): a Map from binary-string user key to the index of its newest version;
// versions live in parallel typed arrays (seq, kind, value location, index of the next-older version), values
// in large byte slabs. Per entry the only heap objects are the key string and its Map slot: no node objects.
// Order is produced lazily: keys added since the last sort wait in `#pending`; sortedKeys() sorts them and
// merges them into a NEW array, so an array handed out earlier never changes (iterators keep a stable view).
// Sequential loads skip the Map: while every write adds a key greater than all before (`#appendOnly`), keys
// sit in `#appendKeys` in order, entry i holds appendKeys[i], and lookups binary-search it; the first write
// that breaks the order builds the Map from it once (measured: Map.set was a fifth of fillseq's CPU).
//
// A frozen memtable (one in the immutable queue) gets a bloom filter over its keys, built a slice at a time
// between event-loop turns (buildFilterStep; ≈20 ms for 190k keys in one go), so that a lookup of a key it
// lacks costs a few bit probes instead of a Map lookup (measured: Map lookups in three memtables were a fifth
// of a random getSync right after a fill). Until the filter is complete, lookups use the Map.
//
// Invariants: versions of a key are chained newest first (strictly decreasing seq); entries are never
// modified or removed, only appended; a reader at sequence S ignores versions with seq > S; nothing is added
// once buildFilterStep() has been called; #filter is set only when every key is in it.
import { Kind } from '../format/keys.js';
import { LookupResult } from '../keys/lookup-result.js';
import { BATCH_HEADER_SIZE } from '../format/batch.js';
import { getVarint } from '../util/coding.js';
import { binaryString, copyBytes } from '../util/bytes.js';
import { addToBloom, bloomHash, bloomMayContain, emptyBloom } from '../util/bloom.js';

const SLAB_SIZE = 1024 * 1024;
/** A batch at least this large is adopted as a slab of its own instead of being copied. */
const ADOPT_SIZE = 64 * 1024;
/** Estimated bytes per entry beyond its key and value (Map slot, string header, arrays). */
const ENTRY_OVERHEAD = 64;

export class Memtable {
  readonly #index = new Map<string, number>();
  /** While #appendOnly: every key in order; entry i is the only version of appendKeys[i]. Else empty. */
  #appendKeys: string[] = [];
  #seq = new Float64Array(1024);
  #next = new Int32Array(1024);
  #slab = new Int32Array(1024); // slab number; -1 for a deletion
  #vOff = new Int32Array(1024);
  #vLen = new Int32Array(1024);
  #count = 0;
  readonly #slabs: Buffer[] = [];
  #cur: Buffer = Buffer.allocUnsafe(0);
  /** Index of #cur in #slabs (adopted batches are pushed after it). */
  #curNo = -1;
  #curPos = 0;
  #bytes = 0;
  #sorted: string[] = [];
  #pending: string[] = [];
  #maxSeq = 0;
  /** Every batch added, in order: where its encoded bytes sit (slab, offset, length) and its first seq. */
  #batchSlab = new Int32Array(256);
  #batchOff = new Int32Array(256);
  #batchLen = new Int32Array(256);
  #batchSeq = new Float64Array(256);
  #batchCount = 0;
  /** True while every entry added a new key greater than all before it (sequential loads): then entry i holds
   *  the i-th smallest key and is its only version, so order needs no sort and no lookups. */
  #appendOnly = true;
  #lastNewKey = '';
  #minSeq = Number.MAX_SAFE_INTEGER;
  /** Bloom filter over every key once buildFilterStep() finished; undefined before. */
  #filter: Buffer | undefined;
  /** The filter under construction, the keys added to it so far, and the Map-order key iterator. */
  #building: Buffer | undefined;
  #built = 0;
  #buildKeys: Iterator<string> | undefined;

  /** Number of the WAL holding this memtable's writes. */
  readonly walNumber: number;

  constructor(walNumber: number) {
    this.walNumber = walNumber;
  }

  /** Approximate memory held, in bytes (compared with memtableSize). */
  get approximateBytes(): number {
    return this.#bytes + this.#curPos;
  }
  get entryCount(): number {
    return this.#count;
  }
  get keyCount(): number {
    return this.#appendOnly ? this.#appendKeys.length : this.#index.size;
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
   * Applies every record of an encoded batch rep[0, len) (already validated), numbering them from `seq`.
   * Takes ownership of `rep` when it is large (the caller must not reuse it).
   */
  addBatch(rep: Buffer, len: number, seq: number): void {
    let slabNo: number;
    let base: number;
    let src: Buffer;
    if (len >= ADOPT_SIZE) {
      slabNo = this.#slabs.length;
      this.#slabs.push(rep);
      src = rep;
      base = 0;
      this.#bytes += len;
    } else {
      if (this.#curPos + len > this.#cur.length) this.#newSlab();
      slabNo = this.#curNo; // not the last slab when a large batch was adopted after #cur was started
      src = this.#cur;
      base = this.#curPos;
      rep.copy(src, base, 0, len);
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
      const key = binaryString(src, kStart, p);
      if (kind === Kind.Value) {
        const vLen = getVarint(src, p, end, cur);
        this.#add(key, seq++, slabNo, cur.pos, vLen);
        p = cur.pos + vLen;
      } else {
        this.#add(key, seq++, -1, 0, 0);
      }
    }
  }

  #recordBatch(slab: number, off: number, len: number, seq: number): void {
    const n = this.#batchCount;
    if (n === this.#batchSlab.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.#batchSlab = grow(this.#batchSlab, (k) => new Int32Array(k));
      this.#batchOff = grow(this.#batchOff, (k) => new Int32Array(k));
      this.#batchLen = grow(this.#batchLen, (k) => new Int32Array(k));
      this.#batchSeq = grow(this.#batchSeq, (k) => new Float64Array(k));
    }
    this.#batchSlab[n] = slab;
    this.#batchOff[n] = off;
    this.#batchLen[n] = len;
    this.#batchSeq[n] = seq;
    this.#batchCount = n + 1;
  }

  /** Number of batches added. */
  get batchCount(): number {
    return this.#batchCount;
  }

  /**
   * Calls `fn` with the encoded bytes of batch i (buf[off, off + len)) and its first sequence number, for
   * batches [from, to) in the order they were added; adding them in that order to an empty memtable rebuilds
   * this one (the flush worker does, ADR 0010).
   */
  forEachBatch(
    from: number,
    to: number,
    fn: (buf: Buffer, off: number, len: number, seq: number) => void,
  ): void {
    for (let i = from; i < to; i++) {
      fn(this.#slabs[this.#batchSlab[i]!]!, this.#batchOff[i]!, this.#batchLen[i]!, this.#batchSeq[i]!);
    }
  }

  #newSlab(): void {
    this.#bytes += this.#curPos; // the used part of the slab being retired
    this.#cur = Buffer.allocUnsafe(SLAB_SIZE);
    this.#curPos = 0;
    this.#curNo = this.#slabs.length;
    this.#slabs.push(this.#cur);
  }

  #add(key: string, seq: number, slab: number, vOff: number, vLen: number): void {
    const i = this.#count;
    if (i === this.#seq.length) this.#grow();
    if (this.#appendOnly) {
      if (i === 0 || key > this.#lastNewKey) {
        this.#lastNewKey = key;
        this.#appendKeys.push(key);
        this.#next[i] = -1;
        this.#bytes += key.length + ENTRY_OVERHEAD;
        this.#setEntry(i, seq, slab, vOff, vLen);
        return;
      }
      this.#leaveAppendOnly();
    }
    const prev = this.#index.get(key);
    this.#index.set(key, i);
    if (prev === undefined) {
      this.#pending.push(key);
      this.#next[i] = -1;
      this.#bytes += key.length + ENTRY_OVERHEAD;
    } else {
      this.#next[i] = prev;
      this.#bytes += 32;
    }
    this.#setEntry(i, seq, slab, vOff, vLen);
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

  /** Builds the Map and the pending list from #appendKeys (entry i = key i) and leaves append-only mode. */
  #leaveAppendOnly(): void {
    const keys = this.#appendKeys;
    const index = this.#index;
    for (let i = 0; i < keys.length; i++) index.set(keys[i]!, i);
    const sorted = this.#sorted.length;
    this.#pending = sorted === keys.length ? [] : keys.slice(sorted);
    this.#appendKeys = [];
    this.#appendOnly = false;
  }

  /** Entry index of `key` while append-only (binary search), or -1. */
  #appendIndexOf(key: string): number {
    const keys = this.#appendKeys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo < keys.length && keys[lo] === key ? lo : -1;
  }

  #grow(): void {
    const n = this.#seq.length * 2;
    const seq = new Float64Array(n);
    seq.set(this.#seq);
    this.#seq = seq;
    const next = new Int32Array(n);
    next.set(this.#next);
    this.#next = next;
    const slab = new Int32Array(n);
    slab.set(this.#slab);
    this.#slab = slab;
    const vOff = new Int32Array(n);
    vOff.set(this.#vOff);
    this.#vOff = vOff;
    const vLen = new Int32Array(n);
    vLen.set(this.#vLen);
    this.#vLen = vLen;
  }

  /** Index of the newest version of `key` with seq <= `seq`, or -1. */
  find(key: string, seq: number): number {
    if (this.#appendOnly) {
      const i = this.#appendIndexOf(key);
      return i >= 0 && this.#seq[i]! <= seq ? i : -1;
    }
    let i = this.#index.get(key);
    if (i === undefined) return -1;
    while (i >= 0 && this.#seq[i]! > seq) i = this.#next[i]!;
    return i;
  }

  /** Newest version index of a key with no visibility limit, or -1. */
  newest(key: string): number {
    if (this.#appendOnly) return this.#appendIndexOf(key);
    return this.#index.get(key) ?? -1;
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

  /**
   * Adds up to `maxKeys` keys to the memtable's bloom filter (bloomBitsPerKey bits per key); returns true once
   * the filter is complete (at once when bloomBitsPerKey <= 0: no filter). REQUIRES: the memtable is frozen,
   * no addBatch() after the first call.
   */
  buildFilterStep(bloomBitsPerKey: number, maxKeys: number): boolean {
    if (this.#filter !== undefined || bloomBitsPerKey <= 0) return true;
    const n = this.keyCount;
    const f = (this.#building ??= emptyBloom(n, bloomBitsPerKey));
    const end = Math.min(n, this.#built + maxKeys);
    if (this.#appendOnly) {
      const keys = this.#appendKeys;
      for (let i = this.#built; i < end; i++) addToBloom(f, bloomHash(keys[i]!));
    } else {
      const it = (this.#buildKeys ??= this.#index.keys());
      for (let i = this.#built; i < end; i++) addToBloom(f, bloomHash(it.next().value as string));
    }
    this.#built = end;
    if (end < n) return false;
    this.#filter = f;
    this.#building = undefined;
    this.#buildKeys = undefined;
    return true;
  }

  /** False when the key whose bloomHash is `hash` is certainly absent (only once buildFilterStep() completed). */
  mayContain(hash: number): boolean {
    const f = this.#filter;
    return f === undefined || bloomMayContain(f, 0, f.length, hash);
  }

  /** Looks `key` up at `seq`: NotFound, Deleted, or Found (and `out.value` holds a copy). */
  get(key: string, seq: number, out: { value: Buffer | undefined }): LookupResult {
    const i = this.find(key, seq);
    if (i < 0) return LookupResult.NotFound;
    if (this.#slab[i]! < 0) return LookupResult.Deleted;
    out.value = this.entryValue(i);
    return LookupResult.Found;
  }

  /** See #appendOnly: when true, entry i is the only version of sortedKeys()[i]. */
  get isAppendOnly(): boolean {
    return this.#appendOnly;
  }

  /** All keys in ascending order. The returned array is never modified afterwards. */
  sortedKeys(): string[] {
    if (this.#appendOnly) {
      // A copy: #appendKeys keeps growing, and an array handed out never changes.
      if (this.#sorted.length !== this.#appendKeys.length) this.#sorted = this.#appendKeys.slice();
      return this.#sorted;
    }
    if (this.#pending.length === 0) return this.#sorted;
    const add = this.#pending.sort();
    this.#pending = [];
    const old = this.#sorted;
    if (old.length === 0) {
      this.#sorted = add;
      return add;
    }
    const merged = new Array<string>(old.length + add.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < add.length) merged[k++] = old[i]! < add[j]! ? old[i++]! : add[j++]!;
    while (i < old.length) merged[k++] = old[i++]!;
    while (j < add.length) merged[k++] = add[j++]!;
    this.#sorted = merged;
    return merged;
  }
}
