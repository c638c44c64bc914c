// Writes one table file (layout in ../format/sstable.ts) from entries added in internal-key order.
// Data blocks are cut at `blockSize`; each gets an index entry keyed by its last internal key. Output is
// buffered and appended in large writes; finish() returns the table's properties. The caller syncs and
// publishes the file (write, fsync, fsync dir, then MANIFEST edit).
import {
  BLOCK_TRAILER_SIZE,
  Codec,
  FOOTER_SIZE,
  META_FILTER,
  META_PROPERTIES,
  TABLE_FORMAT_VERSION,
  TABLE_MAGIC,
} from '../format/sstable.js';
import { Kind, trailerKind, trailerSeq } from '../format/keys.js';
import type { WritableFile } from '../fs/file-system.js';
import { crc32Of, maskCrc } from '../util/checksum.js';
import { putFixed32, putFixed64 } from '../util/coding.js';
import { BlockBuilder } from './block-builder.js';
import { bloomHash, buildBloom } from '../util/bloom.js';
import { encodeProperties, type TableProperties } from './properties.js';
import { codecOfName, compressBlock } from './compression.js';
import type { CompressionName } from '../options/options.js';
import { giveScratch, growScratch, takeScratch } from '../util/scratch.js';

const CODEC_BYTE = [Uint8Array.of(Codec.None), Uint8Array.of(Codec.Snappy), Uint8Array.of(Codec.Lz4)];

/** The stored checksum of a block: masked CRC32 of its stored bytes ++ codec byte. */
export function blockCrc(stored: Uint8Array, codec: Codec): number {
  return maskCrc(crc32Of(CODEC_BYTE[codec]!, crc32Of(stored)));
}
const FLUSH_AT = 256 * 1024;

export interface TableBuilderOptions {
  blockSize: number;
  restartInterval: number;
  bloomBitsPerKey: number;
  /** Codec for data blocks; meta, index and filter blocks are stored uncompressed. */
  compression: CompressionName;
  /**
   * About how many distinct keys the table will hold, if known: the filter's key-hash array is taken at that
   * size at once instead of grown by doubling, which left one scratch buffer of every size below it in the
   * thread's pool (ADR 0017). A wrong guess costs only growth.
   */
  expectedKeys?: number;
}

export interface BlockHandle {
  offset: number;
  size: number;
}

export class TableBuilder {
  readonly #file: WritableFile;
  readonly #opts: TableBuilderOptions;
  readonly #data: BlockBuilder;
  readonly #index: BlockBuilder;
  // Output and key-hash buffers come from util/scratch.ts and go back in release() (ADR 0017).
  #out = Buffer.from(takeScratch(FLUSH_AT + 64 * 1024));
  #outLen = 0;
  #offset = 0;
  #hashes: Uint32Array;
  #hashCount = 0;
  #lastHashedKey: string | undefined;
  #props: TableProperties = {
    entries: 0,
    deletions: 0,
    dataBlocks: 0,
    rawKeyBytes: 0,
    rawValueBytes: 0,
    smallestSeq: Number.MAX_SAFE_INTEGER,
    largestSeq: 0,
    smallestKey: '',
    smallestTrailer: 0,
    largestKey: '',
    largestTrailer: 0,
    codec: 'none',
    formatVersion: TABLE_FORMAT_VERSION,
    fileSize: 0,
  };
  #handle = Buffer.allocUnsafe(24);
  readonly #codec: Codec;

  constructor(file: WritableFile, opts: TableBuilderOptions) {
    this.#file = file;
    this.#opts = opts;
    this.#codec = codecOfName(opts.compression);
    this.#props.codec = opts.compression;
    this.#data = new BlockBuilder(opts.restartInterval);
    this.#index = new BlockBuilder(1);
    const expected = opts.bloomBitsPerKey > 0 ? (opts.expectedKeys ?? 0) : 0;
    this.#hashes = expected > 1024 ? new Uint32Array(takeScratch(4 * expected)) : new Uint32Array(1024);
  }

  get entries(): number {
    return this.#props.entries;
  }

  /** Bytes written so far plus the open block: the table's size if finished now (approximately). */
  get estimatedSize(): number {
    return this.#offset + this.#outLen + this.#data.estimatedSize;
  }

  /** REQUIRES: (userKey, trailer) is greater than every key added before. */
  add(userKey: string, trailer: number, value: Uint8Array, vOff: number, vLen: number): void {
    const props = this.#props;
    if (props.entries === 0) {
      props.smallestKey = userKey;
      props.smallestTrailer = trailer;
    }
    props.largestKey = userKey;
    props.largestTrailer = trailer;
    props.entries++;
    if (trailerKind(trailer) === Kind.Delete) props.deletions++;
    const seq = trailerSeq(trailer);
    if (seq < props.smallestSeq) props.smallestSeq = seq;
    if (seq > props.largestSeq) props.largestSeq = seq;
    props.rawKeyBytes += userKey.length + 8;
    props.rawValueBytes += vLen;
    if (this.#opts.bloomBitsPerKey > 0 && userKey !== this.#lastHashedKey) {
      if (this.#hashCount === this.#hashes.length) {
        const old = this.#hashes;
        this.#hashes = new Uint32Array(growScratch(old, old.byteLength, old.byteLength * 2));
      }
      this.#hashes[this.#hashCount++] = bloomHash(userKey);
      this.#lastHashedKey = userKey;
    }
    this.#data.add(userKey, trailer, value, vOff, vLen);
    if (this.#data.estimatedSize >= this.#opts.blockSize) this.#finishDataBlock();
  }

  #finishDataBlock(): void {
    const d = this.#data;
    if (d.isEmpty) return;
    const lastKey = d.lastKey;
    const lastTrailer = d.lastTrailer;
    const contents = d.finish();
    const compressed = compressBlock(this.#codec, contents);
    const h =
      compressed === undefined
        ? this.#writeBlock(contents, Codec.None)
        : this.#writeBlock(compressed, this.#codec);
    d.reset();
    this.#props.dataBlocks++;
    this.#index.add(lastKey, lastTrailer, this.#encodeHandle(h), 0, 12);
  }

  #encodeHandle(h: BlockHandle): Buffer {
    putFixed64(this.#handle, 0, h.offset);
    putFixed32(this.#handle, 8, h.size);
    return this.#handle;
  }

  /** Appends the stored bytes + trailer; returns its handle. */
  #writeBlock(contents: Uint8Array, codec: Codec = Codec.None): BlockHandle {
    const handle = { offset: this.#offset + this.#outLen, size: contents.length };
    const need = contents.length + BLOCK_TRAILER_SIZE;
    if (this.#outLen + need > this.#out.length) {
      this.#flushOut();
      if (need > this.#out.length) {
        giveScratch(this.#out.buffer);
        this.#out = Buffer.from(takeScratch(need));
      }
    }
    const out = this.#out;
    out.set(contents, this.#outLen);
    this.#outLen += contents.length;
    out[this.#outLen] = codec;
    putFixed32(out, this.#outLen + 1, blockCrc(contents, codec));
    this.#outLen += BLOCK_TRAILER_SIZE;
    if (this.#outLen >= FLUSH_AT) this.#flushOut();
    return handle;
  }

  #flushOut(): void {
    if (this.#outLen === 0) return;
    this.#file.append(this.#out.subarray(0, this.#outLen));
    this.#offset += this.#outLen;
    this.#outLen = 0;
  }

  /** Writes filter, properties, metaindex, index and footer. Returns the properties (fileSize set). */
  finish(): TableProperties {
    this.#finishDataBlock();
    const meta = new BlockBuilder(1);
    const metaEntries: [string, BlockHandle][] = [];
    let filter: Buffer | undefined;
    if (this.#opts.bloomBitsPerKey > 0) {
      filter = buildBloom(this.#hashes, this.#hashCount, this.#opts.bloomBitsPerKey);
      metaEntries.push([META_FILTER, this.#writeBlock(filter)]);
    }
    const props = this.#props;
    if (props.entries === 0) props.smallestSeq = 0;
    metaEntries.push([META_PROPERTIES, this.#writeBlock(encodeProperties(props))]);
    metaEntries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [name, h] of metaEntries) meta.add(name, -1, this.#encodeHandle(h), 0, 12);
    const metaHandle = this.#writeBlock(meta.finish());
    const index = this.#index.finish();
    const indexHandle = this.#writeBlock(index);
    const footer = Buffer.alloc(FOOTER_SIZE);
    putFixed64(footer, 0, metaHandle.offset);
    putFixed32(footer, 8, metaHandle.size);
    putFixed64(footer, 12, indexHandle.offset);
    putFixed32(footer, 20, indexHandle.size);
    putFixed32(footer, 24, TABLE_FORMAT_VERSION);
    putFixed32(footer, 28, maskCrc(crc32Of(footer.subarray(0, 28))));
    TABLE_MAGIC.copy(footer, 32);
    if (this.#outLen + FOOTER_SIZE > this.#out.length) this.#flushOut();
    footer.copy(this.#out, this.#outLen);
    this.#outLen += FOOTER_SIZE;
    this.#flushOut();
    props.fileSize = this.#offset;
    this.#written = { index, filter };
    return props;
  }

  #written: { index: Buffer; filter: Buffer | undefined } | undefined;

  /** After finish() and before release(): the index block and filter contents as written (for a hand-over
   *  of the parsed table). */
  get written(): { index: Buffer; filter: Buffer | undefined } {
    if (this.#written === undefined) throw new Error('TableBuilder.written before finish()');
    return this.#written;
  }

  /**
   * Gives the builder's working buffers back to util/scratch.ts, after finish() and any use of `written` (the
   * index block is one of them; the filter is not), or after an abandoned build. The builder is not to be used
   * again. Not calling it only leaves the buffers to the garbage collector.
   */
  release(): void {
    giveScratch(this.#out.buffer);
    giveScratch(this.#hashes.buffer);
    this.#out = Buffer.alloc(0);
    this.#hashes = new Uint32Array(0);
    this.#data.release();
    this.#index.release();
    this.#written = undefined;
  }
}
