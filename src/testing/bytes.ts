// Byte surgery on files, for damage and torn-tail tests, and small little-endian readers for parsing
// on-disk structures by hand from the spec in ../format/ (never with the engine's own decoders).
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';

/** XORs the byte at `offset` of `file` with `mask` (default 0x01... any non-zero mask changes it). */
export function flipByte(file: string, offset: number, mask = 0x5a): void {
  const b = readFileSync(file);
  if (offset < 0 || offset >= b.length)
    throw new RangeError(`offset ${offset} outside ${file} (${b.length})`);
  b[offset]! ^= mask;
  writeFileSync(file, b);
}

/** Cuts `file` to `length` bytes. */
export function truncate(file: string, length: number): void {
  truncateSync(file, length);
}

export function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** A fixed64 little-endian that must fit in a JS number. */
export function u64(b: Uint8Array, p: number): number {
  return u32(b, p) + u32(b, p + 4) * 2 ** 32;
}

/** Decodes a varint at `p`; returns [value, next position]. */
export function varint(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[p++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, p];
    mul *= 128;
  }
}
