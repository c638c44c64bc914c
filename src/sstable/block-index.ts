// The parsed index block of an open table: per data block its last internal key and its handle, held in typed
// arrays and one byte buffer, with no JavaScript object per block. Opening a 64 MiB table (16k blocks) used to
// build 16k strings and grow four arrays (median open 17–18 ms, ADR 0014); parsing into typed arrays is two
// passes over the block.
// A worker that wrote a table can parse its index there and hand the arrays over (`parts()`, transferred
// without a copy); the main thread rebuilds the index with `fromParts()` instead of reading it from disk.
// Invariants: keys are sorted by (user key ascending, trailer descending), as the builder writes them; every
// handle ends before `dataEnd` (checked here, so a damaged index is a CorruptionError at open).
import { CorruptionError } from '../errors/errors.js';
import { BLOCK_TRAILER_SIZE } from '../format/sstable.js';
import { getFixed64, getFixed32, getVarint } from '../util/coding.js';
import { binaryString } from '../util/bytes.js';
import { compareBytesToBinary, restartsStart } from './block.js';

/** Bytes of a key compared as one number (6 bytes stay below 2^53). */
const WINDOW_BYTES = 6;
const HANDLE_BYTES = 12;

const cur = { pos: 0 };

/** A parsed index as plain typed arrays, each on an ArrayBuffer of its own (transferable). */
export interface BlockIndexParts {
  offsets: Float64Array;
  sizes: Uint32Array;
  trailers: Float64Array;
  keyStarts: Uint32Array;
  keyBytes: Uint8Array;
  windows: Float64Array;
  commonLength: number;
}

export class BlockIndex {
  /** Number of data blocks. */
  readonly length: number;
  /** Per block: file offset and stored size (without the 5-byte trailer) of the data block. */
  readonly offsets: Float64Array;
  readonly sizes: Uint32Array;
  /** Per block: the trailer (seq * 256 + kind) of its last internal key. */
  readonly trailers: Float64Array;
  /** User keys back to back: key i is keyBytes[keyStarts[i], keyStarts[i + 1]). */
  readonly #keyBytes: Buffer;
  readonly #keyStarts: Uint32Array;
  /** Length of the prefix every key shares (that of the first and the last), and the prefix as a string. */
  readonly #commonLength: number;
  readonly #common: string;
  /** Per key: its WINDOW_BYTES bytes after the common prefix as a number, missing bytes as 0. For keys a < b
   *  (both starting with the common prefix) window(a) <= window(b): a search compares these and falls back to
   *  the bytes only on a tie. */
  readonly #windows: Float64Array;

  private constructor(p: BlockIndexParts) {
    const n = p.offsets.length;
    if (
      p.sizes.length !== n ||
      p.trailers.length !== n ||
      p.windows.length !== n ||
      p.keyStarts.length !== n + 1
    )
      throw new RangeError('BlockIndex parts of different lengths');
    this.length = n;
    this.offsets = p.offsets;
    this.sizes = p.sizes;
    this.trailers = p.trailers;
    this.#keyStarts = p.keyStarts;
    this.#keyBytes = Buffer.from(p.keyBytes.buffer, p.keyBytes.byteOffset, p.keyBytes.byteLength);
    this.#windows = p.windows;
    this.#commonLength = p.commonLength;
    this.#common =
      n > 0 ? binaryString(this.#keyBytes, p.keyStarts[0]!, p.keyStarts[0]! + p.commonLength) : '';
  }

  /** An index from the arrays another thread parsed (`parts()`); they are used as they are, not copied. */
  static fromParts(parts: BlockIndexParts): BlockIndex {
    return new BlockIndex(parts);
  }

  /** The arrays behind this index, to hand to another thread (the ArrayBuffers to transfer: `buffersOf`). */
  parts(): BlockIndexParts {
    return {
      offsets: this.offsets,
      sizes: this.sizes,
      trailers: this.trailers,
      keyStarts: this.#keyStarts,
      keyBytes: this.#keyBytes,
      windows: this.#windows,
      commonLength: this.#commonLength,
    };
  }

  /**
   * Parses index block contents `data` (restart array included). `dataEnd`: where the table's data blocks end
   * (a handle beyond it is corruption). `file`/`offset` name the index block in errors.
   */
  static parse(data: Buffer, dataEnd: number, file: string, offset: number): BlockIndex {
    const limit = restartsStart(data, 0, data.length, file, offset);
    const bad = (why: string): CorruptionError => new CorruptionError(file, offset, why);
    // Pass 1 validates the entries and sizes the arrays exactly (fresh pages cost a fault each).
    let count = 0;
    let keyTotal = 0;
    let prevInternal = 0; // length of the previous internal key: what the next entry may share
    for (let p = 0; p < limit; count++) {
      const shared = getVarint(data, p, limit, cur);
      const unshared = shared < 0 ? -1 : getVarint(data, cur.pos, limit, cur);
      const vLen = unshared < 0 ? -1 : getVarint(data, cur.pos, limit, cur);
      if (vLen < 0) throw bad('bad block entry');
      const vStart = cur.pos + unshared;
      if (vStart + vLen > limit || shared > prevInternal || shared + unshared < 8)
        throw bad('bad block entry');
      if (vLen !== HANDLE_BYTES) throw bad('bad block handle in index');
      prevInternal = shared + unshared;
      keyTotal += prevInternal - 8;
      p = vStart + vLen;
    }
    const offsets = new Float64Array(count);
    const sizes = new Uint32Array(count);
    const trailers = new Float64Array(count);
    const keyStarts = new Uint32Array(count + 1);
    // The last internal key is rebuilt with its trailer, 8 bytes past the user keys. Not from Node's shared
    // pool (allocUnsafe): the buffer must be its own ArrayBuffer to be transferable.
    const keyBytes = Buffer.allocUnsafeSlow(keyTotal + 8);
    // Pass 2: each internal key (user key ++ trailer) is rebuilt at keyBytes[used, ...); its trailer is read
    // from there and then overwritten by the next key, which may share bytes of it.
    let used = 0;
    let prevStart = 0;
    let n = 0;
    for (let p = 0; p < limit; n++) {
      const shared = getVarint(data, p, limit, cur);
      const unshared = getVarint(data, cur.pos, limit, cur);
      getVarint(data, cur.pos, limit, cur);
      const kStart = cur.pos;
      const vStart = kStart + unshared;
      const keyLen = shared + unshared - 8;
      if (shared > 0) keyBytes.copyWithin(used, prevStart, prevStart + shared);
      for (let j = 0; j < unshared; j++) keyBytes[used + shared + j] = data[kStart + j]!;
      trailers[n] = getFixed64(keyBytes, used + keyLen);
      const off = getFixed64(data, vStart);
      const size = getFixed32(data, vStart + 8);
      if (off + size + BLOCK_TRAILER_SIZE > dataEnd) throw bad('block handle beyond end of data');
      offsets[n] = off;
      sizes[n] = size;
      keyStarts[n] = used;
      prevStart = used;
      used += keyLen;
      p = vStart + HANDLE_BYTES;
    }
    keyStarts[n] = used;
    let common = 0;
    if (n > 0) {
      const a = keyStarts[0]!;
      const b = keyStarts[n - 1]!;
      const m = Math.min(keyStarts[1]! - a, used - b);
      while (common < m && keyBytes[a + common] === keyBytes[b + common]) common++;
    }
    const windows = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = keyStarts[i]! + common;
      const e = keyStarts[i + 1]!;
      let w = 0;
      for (let j = s; j < s + WINDOW_BYTES; j++) w = w * 256 + (j < e ? keyBytes[j]! : 0);
      windows[i] = w;
    }
    return new BlockIndex({ offsets, sizes, trailers, keyStarts, keyBytes, windows, commonLength: common });
  }

  /** User key of block i's last entry, as a binary string. */
  key(i: number): string {
    return binaryString(this.#keyBytes, this.#keyStarts[i]!, this.#keyStarts[i + 1]!);
  }

  /** Index of the first block whose last internal key is >= (key, trailer); `length` if none. */
  find(key: string, trailer: number): number {
    let lo = 0;
    let hi = this.length;
    const trailers = this.trailers;
    if (key.startsWith(this.#common)) {
      // Every key starts with the common prefix too, so their order up to the window is the windows' order.
      const w = windowOf(key, this.#commonLength);
      const windows = this.#windows;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const kw = windows[mid]!;
        if (kw < w) lo = mid + 1;
        else if (kw > w) hi = mid;
        else {
          const c = this.#compare(mid, key);
          if (c < 0 || (c === 0 && trailers[mid]! > trailer)) lo = mid + 1;
          else hi = mid;
        }
      }
      return lo;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.#compare(mid, key);
      if (c < 0 || (c === 0 && trailers[mid]! > trailer)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sign of (key i) - `key`, bytewise. */
  #compare(i: number, key: string): number {
    const s = this.#keyStarts[i]!;
    return compareBytesToBinary(this.#keyBytes, s, this.#keyStarts[i + 1]! - s, key);
  }
}

/** key[at, at + WINDOW_BYTES) as a big-endian number, missing bytes as 0 (the keys' windows, for a string). */
function windowOf(key: string, at: number): number {
  let w = 0;
  for (let i = at; i < at + WINDOW_BYTES; i++) w = w * 256 + (i < key.length ? key.charCodeAt(i) : 0);
  return w;
}

/** The ArrayBuffers behind `parts`, for a postMessage transfer list. */
export function buffersOf(parts: BlockIndexParts): ArrayBuffer[] {
  const all = [parts.offsets, parts.sizes, parts.trailers, parts.keyStarts, parts.keyBytes, parts.windows];
  return [...new Set(all.map((a) => a.buffer as ArrayBuffer))];
}
