// An open table: its file, parsed index, bloom filter and properties. Data blocks come through the shared
// block cache; every block read from disk is checked against its CRC before use.
// Lifetime: reference-counted (the table cache holds one reference, every cursor one more); the file closes
// when the count reaches zero.
import {
  BLOCK_TRAILER_SIZE,
  Codec,
  FOOTER_SIZE,
  MAX_BLOCK_SIZE,
  META_FILTER,
  META_PROPERTIES,
  TABLE_FORMAT_VERSION,
  TABLE_MAGIC,
} from '../format/sstable.js';
import { CorruptionError, GraniteError, toIOError } from '../errors/errors.js';
import type { RandomAccessFile } from '../fs/file-system.js';
import { crc32Of, maskCrc } from '../util/checksum.js';
import { copyBytes } from '../util/bytes.js';
import { SlabAllocator } from '../util/slab-allocator.js';
import { getFixed32, getFixed64 } from '../util/coding.js';
import type { BlockCache } from './block-cache.js';
import { decodeBlock, decodeBlockFrom, seekInBlock, type DecodedBlock, type SeekResult } from './block.js';
import { bloomMayContain } from '../util/bloom.js';
import { BlockIndex } from './block-index.js';
import { decodeProperties, type TableProperties } from './properties.js';
import { blockCrc } from './table-builder.js';
import { decompressBlock, isKnownCodec } from './compression.js';
import { Kind, trailerKind } from '../format/keys.js';
import { READ_WINDOW_BYTES, type ReadWindow } from './read-window.js';
import { LookupResult } from '../keys/lookup-result.js';

// Cache keys are slot * 2^34 + block offset. Slots are recycled when a reader closes, so they stay small;
// entries of a closed reader may linger under a recycled slot: the tag (a never-reused reader id) turns
// them into misses.
let nextReaderId = 1;
const freeSlots: number[] = [];
const blockMemory = new SlabAllocator();
/** Reused by reads whose bytes are parsed and dropped before the next such read (index blocks). */
let scratch: Buffer = Buffer.allocUnsafeSlow(0);
/**
 * Where a block read for the cache lands, is checked, and is copied from into its cache slot (ADR 0020): while
 * background threads ran, the kernel's copy into the ring's long-unwritten pages made a 4 KiB `pread` take
 * 19–20 µs at the median on the benchmark VM, and 6.4–6.5 µs into these pages, which every miss writes.
 */
let landing: Buffer = Buffer.allocUnsafeSlow(64 * 1024);
let nextSlot = 1;
const CACHE_SLOT_SHIFT = 2 ** 34;

export interface TableCounters {
  blockReads: number;
  bloomChecks: number;
  bloomNegatives: number;
  /** Index searches served by an open table's pinned index. */
  indexLookups: number;
}

/** The parts of an open table its writer already holds: the parsed index and the filter contents. */
export interface PreparsedTable {
  index: BlockIndex;
  filter: Buffer | undefined;
}

export class TableReader {
  readonly fileNum: number;
  readonly fileName: string;
  readonly file: RandomAccessFile;
  readonly props: TableProperties;
  readonly size: number;
  /** Per data block: last internal key and handle. */
  readonly index: BlockIndex;
  /** Per data block: offset and stored size (views of the index's arrays). */
  readonly blockOffsets: Float64Array;
  readonly blockSizes: Uint32Array;
  readonly #filter: Buffer | undefined;
  readonly #cache: BlockCache | undefined;
  readonly #cacheId: number;
  readonly #readerId = nextReaderId++;
  readonly #counters: TableCounters;
  #refs = 1;
  readonly #seek: SeekResult = { trailer: 0, valueOffset: 0, valueLength: 0 };

  private constructor(
    fileNum: number,
    fileName: string,
    file: RandomAccessFile,
    cache: BlockCache | undefined,
    counters: TableCounters,
    preparsed: PreparsedTable | undefined,
    withFilter: boolean,
  ) {
    this.fileNum = fileNum;
    this.fileName = fileName;
    this.file = file;
    this.size = file.size;
    this.#cache = cache;
    this.#counters = counters;
    this.#cacheId = freeSlots.pop() ?? nextSlot++;
    if (this.size < FOOTER_SIZE)
      throw new CorruptionError(fileName, 0, `file of ${this.size} bytes is too short for a table`);
    const footerAt = this.size - FOOTER_SIZE;
    const footer = this.#readRaw(footerAt, FOOTER_SIZE);
    if (!footer.subarray(32, 40).equals(TABLE_MAGIC))
      throw new CorruptionError(fileName, footerAt, 'bad table magic');
    if (getFixed32(footer, 28) !== maskCrc(crc32Of(footer.subarray(0, 28)))) {
      throw new CorruptionError(fileName, footerAt, 'footer checksum mismatch');
    }
    const version = getFixed32(footer, 24);
    if (version !== TABLE_FORMAT_VERSION)
      throw new CorruptionError(fileName, footerAt, `unknown table format version ${version}`);
    const metaOff = getFixed64(footer, 0);
    const metaSize = getFixed32(footer, 8);
    const indexOff = getFixed64(footer, 12);
    const indexSize = getFixed32(footer, 20);
    // Checked here, not by #readBlockChecked, so that a damaged handle is reported at the footer (a
    // position inside the file) rather than at the offset it claims.
    for (const [what, off, size] of [
      ['metaindex', metaOff, metaSize],
      ['index', indexOff, indexSize],
    ] as const) {
      if (size > MAX_BLOCK_SIZE || off + size + BLOCK_TRAILER_SIZE > footerAt)
        throw new CorruptionError(
          fileName,
          footerAt,
          `footer's ${what} handle (${off}, ${size}) beyond end of data`,
        );
    }

    // The index is parsed into arrays of its own, so its bytes are read into reused memory: a fresh 700 KB
    // buffer (the index of a 64 MiB table) cost 3 ms of page faults on the benchmark VM, a reused one 0.1 ms.
    // A table's writer may hand its parsed index and filter over (`preparsed`); the footer, metaindex and
    // properties are read from the file either way.
    if (preparsed !== undefined) this.index = preparsed.index;
    else
      this.index = BlockIndex.parse(
        this.#readBlockChecked(indexOff, indexSize, true),
        footerAt,
        fileName,
        indexOff,
      );
    this.blockOffsets = this.index.offsets;
    this.blockSizes = this.index.sizes;
    const metaBytes = this.#readBlockChecked(metaOff, metaSize);
    const meta = decodeBlock(metaBytes, 0, metaBytes.length, false, fileName, metaOff);
    let filter: Buffer | undefined;
    let props: TableProperties | undefined;
    for (let i = 0; i < meta.keys.length; i++) {
      if (meta.valueLengths[i] !== 12)
        throw new CorruptionError(fileName, metaOff, 'bad block handle in metaindex');
      const o = meta.valueOffsets[i]!;
      const off = getFixed64(meta.data, o);
      const size = getFixed32(meta.data, o + 8);
      if (off + size + BLOCK_TRAILER_SIZE > footerAt)
        throw new CorruptionError(fileName, metaOff, 'meta block beyond end of data');
      if (meta.keys[i] === META_FILTER) {
        if (!withFilter) continue;
        if (preparsed === undefined) filter = this.#readBlockChecked(off, size);
        else if (preparsed.filter?.length === size) filter = preparsed.filter;
        else throw new CorruptionError(fileName, off, 'handed-over filter does not match the table');
      } else if (meta.keys[i] === META_PROPERTIES) {
        const pbBytes = this.#readBlockChecked(off, size);
        const pb = decodeBlock(pbBytes, 0, pbBytes.length, false, fileName, off);
        props = decodeProperties(
          pb.keys.map((k, j): [string, Buffer] => [
            k,
            pb.data.subarray(pb.valueOffsets[j]!, pb.valueOffsets[j]! + pb.valueLengths[j]!),
          ]),
          fileName,
          off,
        );
      }
    }
    if (props === undefined) throw new CorruptionError(fileName, metaOff, 'properties block missing');
    props.fileSize = this.size;
    if (preparsed !== undefined && (this.index.length === 0) !== (props.entries === 0))
      throw new CorruptionError(fileName, indexOff, 'handed-over index does not match the table');
    this.props = props;
    this.#filter = filter;
  }

  /** Opens and validates footer, index, filter and properties. Throws CorruptionError or IOError. */
  static open(
    file: RandomAccessFile,
    fileNum: number,
    fileName: string,
    cache: BlockCache | undefined,
    counters: TableCounters,
    preparsed?: PreparsedTable,
  ): TableReader {
    try {
      return new TableReader(fileNum, fileName, file, cache, counters, preparsed, true);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** Opens a table to be read from end to end (a compaction input): as open(), without reading its filter,
   *  which a scan never consults (every mayContain() is true). */
  static openForScan(
    file: RandomAccessFile,
    fileNum: number,
    fileName: string,
    counters: TableCounters,
  ): TableReader {
    try {
      return new TableReader(fileNum, fileName, file, undefined, counters, undefined, false);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  ref(): void {
    this.#refs++;
  }
  unref(): void {
    if (--this.#refs === 0) {
      this.file.close();
      freeSlots.push(this.#cacheId);
    }
  }

  get blockCount(): number {
    return this.blockOffsets.length;
  }

  /** Reads file bytes [offset, offset + length); into the shared scratch buffer when `transient` (valid until
   *  the next transient read), else into memory of their own. */
  #readRaw(offset: number, length: number, transient = false): Buffer {
    if (transient && scratch.length < length)
      scratch = Buffer.allocUnsafeSlow(Math.max(length, 2 * scratch.length));
    const buf = transient ? scratch.subarray(0, length) : blockMemory.alloc(length);
    let n: number;
    try {
      n = this.file.read(buf, 0, length, offset);
    } catch (err) {
      throw toIOError(err, `read ${this.fileName} @${offset}`);
    }
    if (n !== length)
      throw new CorruptionError(this.fileName, offset, `truncated read: ${n} of ${length} bytes`);
    return buf;
  }

  /** Reads the block stored at `offset`, verifies codec and CRC, and returns its (uncompressed) contents. */
  #readBlockChecked(offset: number, size: number, transient = false): Buffer {
    this.#checkHandle(offset, size);
    const raw = this.#readRaw(offset, size + BLOCK_TRAILER_SIZE, transient);
    const codec = this.#verify(raw, 0, size, offset);
    const stored = raw.subarray(0, size);
    return codec === Codec.None ? stored : decompressBlock(codec, stored, this.fileName, offset);
  }

  #checkHandle(offset: number, size: number): void {
    if (size > MAX_BLOCK_SIZE || offset + size + BLOCK_TRAILER_SIZE > this.size) {
      throw new CorruptionError(this.fileName, offset, `block handle (${offset}, ${size}) outside the file`);
    }
  }

  /** Checks codec and CRC of the block stored at buf[at, at + size + 5); returns its codec. */
  #verify(buf: Buffer, at: number, size: number, offset: number): Codec {
    const codec = buf[at + size]!;
    if (!isKnownCodec(codec))
      throw new CorruptionError(this.fileName, offset, `unknown block codec ${codec}`);
    if (getFixed32(buf, at + size + 1) !== blockCrc(buf.subarray(at, at + size), codec as Codec)) {
      throw new CorruptionError(this.fileName, offset, 'block checksum mismatch');
    }
    return codec as Codec;
  }

  /** Buffer holding the block last located by #locate(), and that block's contents length. */
  #locBuf: Buffer = Buffer.alloc(0);
  #locLen = 0;

  /**
   * Finds data block i in the cache or reads it (verified, uncompressed) into the cache; returns its start in
   * #locBuf and sets #locLen. The bytes stay valid only until the next cache insert: use them now or copy them.
   * A cache entry is contents ++ 5 bytes (the trailer for blocks stored uncompressed, unused otherwise).
   */
  #locate(i: number): number {
    const off = this.blockOffsets[i]!;
    const size = this.blockSizes[i]!;
    const cache = this.#cache;
    if (cache !== undefined) {
      const key = this.#cacheId * CACHE_SLOT_SHIFT + off;
      const at = cache.lookup(key, this.#readerId);
      if (at >= 0) {
        this.#locBuf = cache.lastBuffer;
        this.#locLen = cache.lastLength - BLOCK_TRAILER_SIZE;
        return at;
      }
      this.#checkHandle(off, size);
      const r = cache.reserve(key, this.#readerId, size + BLOCK_TRAILER_SIZE);
      if (r >= 0) {
        this.#counters.blockReads++;
        const seg = cache.lastBuffer;
        const stored = size + BLOCK_TRAILER_SIZE;
        let codec: Codec;
        try {
          // Read into the landing buffer, then copy: see `landing`.
          if (landing.length < stored) landing = Buffer.allocUnsafeSlow(Math.max(stored, 2 * landing.length));
          const n = this.file.read(landing, 0, stored, off);
          if (n !== stored)
            throw new CorruptionError(this.fileName, off, `truncated read: ${n} of ${stored} bytes`);
          codec = this.#verify(landing, 0, size, off);
        } catch (err) {
          cache.forget(key);
          throw err instanceof GraniteError ? err : toIOError(err, `read ${this.fileName} @${off}`);
        }
        if (codec === Codec.None) {
          seg.set(landing.subarray(0, stored), r); // TypedArray#set: a native memcpy
          this.#locBuf = seg;
          this.#locLen = size;
          return r;
        }
        // Compressed: the cache keeps the uncompressed contents in place of the stored bytes.
        cache.forget(key);
        const contents = decompressBlock(codec, landing.subarray(0, size), this.fileName, off);
        this.#locLen = contents.length;
        const r2 = cache.reserve(key, this.#readerId, contents.length + BLOCK_TRAILER_SIZE);
        if (r2 < 0) {
          this.#locBuf = contents;
          return 0;
        }
        cache.lastBuffer.set(contents, r2);
        this.#locBuf = cache.lastBuffer;
        return r2;
      }
    }
    this.#counters.blockReads++;
    this.#locBuf = this.#readBlockChecked(off, size);
    this.#locLen = this.#locBuf.length;
    return 0;
  }

  /** Contents of data block i as a Buffer of its own (cursors keep it while they are in the block). */
  dataBlock(i: number): Buffer {
    const at = this.#locate(i);
    const size = this.#locLen;
    const buf = this.#locBuf;
    if (at === 0 && buf.length === size) return buf; // read outside the cache: already its own
    const copy = blockMemory.alloc(size);
    copy.set(buf.subarray(at, at + size)); // TypedArray#set: a native memcpy (Buffer#copy has a slow JS wrapper)
    return copy;
  }

  /** Contents of data block i read from the file, bypassing the cache. */
  dataBlockUncached(i: number): Buffer {
    this.#counters.blockReads++;
    return this.#readBlockChecked(this.blockOffsets[i]!, this.blockSizes[i]!);
  }

  /**
   * Contents of data block i, verified, read through `w` and bypassing the cache (sequential scans:
   * compaction). When `w` does not hold the block, it is refilled with up to READ_WINDOW_BYTES of data blocks
   * from this block on, one read for many blocks. The contents are valid until the next call with `w`.
   */
  dataBlockThrough(i: number, w: ReadWindow): Buffer {
    const off = this.blockOffsets[i]!;
    const size = this.blockSizes[i]!;
    this.#checkHandle(off, size);
    const need = size + BLOCK_TRAILER_SIZE;
    if (off < w.start || off + need > w.end) {
      const last = this.blockOffsets.length - 1;
      const dataEnd = this.blockOffsets[last]! + this.blockSizes[last]! + BLOCK_TRAILER_SIZE;
      // #checkHandle guarantees off + need <= size; the window never reads past the file either.
      const length = Math.max(need, Math.min(READ_WINDOW_BYTES, dataEnd - off, this.size - off));
      const buf = w.reserve(length);
      this.#counters.blockReads++;
      let n: number;
      try {
        n = this.file.read(buf, 0, length, off);
      } catch (err) {
        w.start = w.end = 0;
        throw toIOError(err, `read ${this.fileName} @${off}`);
      }
      if (n !== length) {
        w.start = w.end = 0;
        throw new CorruptionError(this.fileName, off, `truncated read: ${n} of ${length} bytes`);
      }
      w.start = off;
      w.end = off + length;
    }
    const at = off - w.start;
    const codec = this.#verify(w.buf, at, size, off);
    const stored = w.buf.subarray(at, at + size);
    return codec === Codec.None ? stored : decompressBlock(codec, stored, this.fileName, off);
  }

  decodeDataBlock(i: number): DecodedBlock {
    const b = this.dataBlock(i);
    return decodeBlock(b, 0, b.length, true, this.fileName, this.blockOffsets[i]!);
  }

  /** Data block i decoded from the last restart point before (key, trailer) on (block.ts decodeBlockFrom). */
  decodeDataBlockFrom(i: number, key: string, trailer: number): DecodedBlock {
    const b = this.dataBlock(i);
    return decodeBlockFrom(b, 0, b.length, key, trailer, this.fileName, this.blockOffsets[i]!);
  }

  /** Index of the first block whose last internal key is >= (key, trailer); blockCount if none. */
  findBlock(key: string, trailer: number): number {
    this.#counters.indexLookups++;
    return this.index.find(key, trailer);
  }

  /** The filter block's contents (undefined for a table without one); not to be modified. */
  get filterContents(): Buffer | undefined {
    return this.#filter;
  }

  get hasFilter(): boolean {
    return this.#filter !== undefined;
  }

  /** Bloom check; true when there is no filter. */
  mayContain(hash: number): boolean {
    const f = this.#filter;
    if (f === undefined) return true;
    this.#counters.bloomChecks++;
    if (bloomMayContain(f, 0, f.length, hash)) return true;
    this.#counters.bloomNegatives++;
    return false;
  }

  /**
   * Point lookup of `key` at sequence `seekTrailer` (= seq * 256 + KIND_FOR_SEEK). `hash` is bloomHash(key).
   * On Found, `out.value` receives a copy of the value.
   */
  get(key: string, seekTrailer: number, hash: number, out: { value: Buffer | undefined }): LookupResult {
    if (!this.mayContain(hash)) return LookupResult.NotFound;
    const b = this.findBlock(key, seekTrailer);
    if (b >= this.blockOffsets.length) return LookupResult.NotFound;
    const at = this.#locate(b);
    const data = this.#locBuf;
    const r = this.#seek;
    if (
      !seekInBlock(data, at, at + this.#locLen, key, seekTrailer, r, this.fileName, this.blockOffsets[b]!)
    ) {
      return LookupResult.NotFound;
    }
    if (trailerKind(r.trailer) === Kind.Delete) return LookupResult.Deleted;
    out.value = copyBytes(data, r.valueOffset, r.valueOffset + r.valueLength);
    return LookupResult.Found;
  }

  /** Reads and verifies every block (used by paranoidChecks and `granite check`). */
  verifyAll(): void {
    for (let i = 0; i < this.blockOffsets.length; i++) {
      const b = this.#readBlockChecked(this.blockOffsets[i]!, this.blockSizes[i]!);
      decodeBlock(b, 0, b.length, true, this.fileName, this.blockOffsets[i]!);
    }
  }
}
