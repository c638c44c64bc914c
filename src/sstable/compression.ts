// Block codecs (docs/format.md, "Block contents and trailer"; ADR 0009). A block's trailer names the codec
// of its stored bytes; the CRC covers the stored (compressed) bytes, so damage is caught before any
// decompressor sees it.
//   codec 1 'snappy': the Snappy raw block format: varint32 uncompressed length, then Snappy elements.
//   codec 2 'lz4':    fixed32 uncompressed length, then one LZ4 block (lz4_flex `compress_prepend_size`).
// The native codecs (napi-rs packages `snappy`, `lz4-napi`) load on first use, so a database that never
// meets a compressed block never loads native code. Invariant: a decoder allocates at most
// maxExpansion(codec) × stored bytes, whatever the stored length prefix claims.
import { createRequire } from 'node:module';
import { Codec } from '../format/sstable.js';
import { CorruptionError, IOError } from '../errors/errors.js';
import type { CompressionName } from '../options/options.js';
import { getFixed32 } from '../util/coding.js';

interface NativeCodec {
  compressSync(data: Uint8Array): Buffer;
  uncompressSync(data: Uint8Array): Buffer;
}

/** A block is stored compressed only if that saves at least this fraction (1/8 = 12.5%). */
const MIN_SAVING_SHIFT = 3;

const CODEC_OF_NAME: Record<CompressionName, Codec> = {
  none: Codec.None,
  snappy: Codec.Snappy,
  lz4: Codec.Lz4,
};
const NAME_OF_CODEC = ['none', 'snappy', 'lz4'] as const;
const PACKAGE_OF_CODEC = ['', 'snappy', 'lz4-napi'] as const;

/**
 * Largest ratio of uncompressed to stored bytes a valid block can have, plus slack for the length prefix.
 * Snappy: a 3-byte copy element yields at most 64 bytes (< 22x). LZ4: a sequence yields at most 255 bytes
 * per byte of match-length run.
 */
const MAX_EXPANSION = [1, 22, 255];

const require = createRequire(import.meta.url);
const loaded: (NativeCodec | Error | undefined)[] = [];

function load(codec: Codec): NativeCodec | Error {
  let c = loaded[codec];
  if (c === undefined) {
    try {
      const m = require(PACKAGE_OF_CODEC[codec]!) as Partial<NativeCodec>;
      if (typeof m.compressSync !== 'function' || typeof m.uncompressSync !== 'function') {
        throw new Error(`package '${PACKAGE_OF_CODEC[codec]}' has no compressSync/uncompressSync`);
      }
      c = m as NativeCodec;
    } catch (err) {
      c = err instanceof Error ? err : new Error(String(err));
    }
    loaded[codec] = c;
  }
  return c;
}

export function codecOfName(name: CompressionName): Codec {
  return CODEC_OF_NAME[name];
}

export function codecName(codec: number): string {
  return NAME_OF_CODEC[codec] ?? `unknown(${codec})`;
}

/** Undefined when the codec works here, else why not (the native package failed to load). */
export function codecUnavailable(name: CompressionName): string | undefined {
  const codec = CODEC_OF_NAME[name];
  if (codec === Codec.None) return undefined;
  const c = load(codec);
  return c instanceof Error ? `compression '${name}' is not available here: ${c.message}` : undefined;
}

/**
 * The bytes to store for `contents` under `codec`, or undefined to store them uncompressed (codec 'none',
 * or compression saved less than 12.5%).
 */
export function compressBlock(codec: Codec, contents: Uint8Array): Buffer | undefined {
  if (codec === Codec.None) return undefined;
  const c = load(codec);
  if (c instanceof Error) throw new IOError(`compress block: ${c.message}`, { cause: c });
  const out = c.compressSync(contents);
  return out.length <= contents.length - (contents.length >>> MIN_SAVING_SHIFT) ? out : undefined;
}

/** Uncompressed length claimed by a stored block's prefix, validated against the expansion bound. */
function claimedLength(codec: Codec, stored: Uint8Array, file: string, offset: number): number {
  let n = 0;
  if (codec === Codec.Snappy) {
    let shift = 0;
    for (let i = 0; ; i++) {
      if (i >= stored.length || i >= 5) throw new CorruptionError(file, offset, 'bad snappy length prefix');
      const b = stored[i]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
  } else {
    if (stored.length < 4) throw new CorruptionError(file, offset, 'bad lz4 length prefix');
    n = getFixed32(stored, 0);
  }
  if (n > stored.length * MAX_EXPANSION[codec]! + 64) {
    throw new CorruptionError(
      file,
      offset,
      `${codecName(codec)} block claims ${n} bytes from ${stored.length}`,
    );
  }
  return n;
}

/**
 * Decompresses the stored bytes of a block whose trailer names `codec` (not None). Damaged input is a
 * CorruptionError at (file, offset); a codec that cannot load here is an IOError.
 */
export function decompressBlock(codec: number, stored: Uint8Array, file: string, offset: number): Buffer {
  if (codec !== Codec.Snappy && codec !== Codec.Lz4) {
    throw new CorruptionError(file, offset, `unknown block codec ${codec}`);
  }
  const n = claimedLength(codec, stored, file, offset);
  const c = load(codec);
  if (c instanceof Error) {
    throw new IOError(`cannot read ${codecName(codec)} block of ${file} @${offset}: ${c.message}`, {
      cause: c,
    });
  }
  let out: Buffer;
  try {
    out = c.uncompressSync(stored);
  } catch (err) {
    throw new CorruptionError(file, offset, `${codecName(codec)} block does not decompress`, { cause: err });
  }
  if (out.length !== n) {
    throw new CorruptionError(
      file,
      offset,
      `${codecName(codec)} block decompressed to ${out.length}, not ${n}`,
    );
  }
  return out;
}

/** True for codec ids this version can name (decompressBlock may still fail to load the native codec). */
export function isKnownCodec(codec: number): boolean {
  return codec === Codec.None || codec === Codec.Snappy || codec === Codec.Lz4;
}
