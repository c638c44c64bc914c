// What a flush worker receives of a frozen memtable (ADR 0016): the buffers holding its encoded write batches,
// each a region of a SharedArrayBuffer that the worker reads in place (no copy, nothing transferred), and
// every batch (its region, offset, length and first sequence number) in the order it was added. Adding the
// batches in that order to an empty memtable rebuilds the memtable. In memory only, never on disk.
//
// Invariant: the sender does not write to or recycle these regions until the worker has answered (the
// memtable is immutable and is retired only after its flush is installed).

/** A memtable's key index (memtable.ts: per key id its bytes' slab, offset, length and newest entry; per entry
 *  its seq, next-older entry and value slab, offset, length, slab -1 for a deletion), truncated to the live
 *  counts, on SharedArrayBuffers. Slab numbers are region numbers of SharedBatches. */
export interface SharedKeyIndex {
  keys: number;
  count: number;
  kSlab: Int32Array;
  kOff: Int32Array;
  kLen: Int32Array;
  kHead: Int32Array;
  seq: Float64Array;
  next: Int32Array;
  slab: Int32Array;
  vOff: Int32Array;
  vLen: Int32Array;
}

export interface SharedBatches {
  /** True when every record adds a key greater than all before it (an append-only memtable): the records, in
   *  batch order, are then the memtable's entries in key order, one per key. */
  inKeyOrder: boolean;
  /** The key index, when not in key order: the worker sorts and walks the memtable in place instead of
   *  rebuilding it from the batches. */
  index: SharedKeyIndex | undefined;
  buffers: SharedArrayBuffer[];
  /** Region r is buffers[r][regionOffsets[r], regionOffsets[r] + regionLengths[r]). */
  regionOffsets: Float64Array;
  regionLengths: Float64Array;
  /** Batch i is region batchRegion[i] bytes [batchOffset[i], batchOffset[i] + batchLength[i]). */
  batchRegion: Int32Array;
  batchOffset: Int32Array;
  batchLength: Int32Array;
  batchSeq: Float64Array;
}

/** Calls `fn` with a view (no copy) of each batch's encoded bytes and its first seq, in order. Throws an Error
 *  when a batch lies outside its region (a bug in this process, not damage on disk). */
export function forEachSharedBatch(s: SharedBatches, fn: (rep: Buffer, seq: number) => void): void {
  const n = s.batchRegion.length;
  for (let i = 0; i < n; i++) {
    const r = s.batchRegion[i]!;
    const off = s.batchOffset[i]!;
    const len = s.batchLength[i]!;
    const buffer = s.buffers[r];
    if (buffer === undefined || off < 0 || len < 0 || off + len > s.regionLengths[r]!)
      throw new Error(`malformed shared batches: batch ${i} outside region ${r}`);
    fn(Buffer.from(buffer, s.regionOffsets[r]! + off, len), s.batchSeq[i]!);
  }
}
