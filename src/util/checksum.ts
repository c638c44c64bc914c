// CRC32 (IEEE, zlib's native implementation) with LevelDB's masking: a stored CRC is rotated and offset so
// that a CRC computed over bytes that themselves contain CRCs does not degenerate. Every stored checksum in
// granitedb is a masked CRC32 (docs/format.md, "Checksums").
import { crc32 } from 'node:zlib';

const MASK_DELTA = 0xa282ead8;

export function crc32Of(data: Uint8Array, initial = 0): number {
  return crc32(data, initial);
}

export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** Masked CRC32 of data[start, end). */
export function maskedCrc(data: Uint8Array, start: number, end: number, initial = 0): number {
  return maskCrc(crc32(start === 0 && end === data.length ? data : data.subarray(start, end), initial));
}
