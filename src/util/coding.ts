// Fixed-width little-endian integers and varints over Uint8Array/Buffer, for numbers up to 2^53.
// Varints are LEB128 (7 bits a byte, low bits first, high bit = "more"), as in LevelDB's coding.h.
// 64-bit fields hold JavaScript numbers below 2^53, written as two 32-bit halves (no BigInt on hot paths).

const TWO32 = 0x1_0000_0000;

export function putFixed32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}

export function getFixed32(buf: Uint8Array, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
}

export function putFixed64(buf: Uint8Array, off: number, v: number): void {
  const lo = v % TWO32;
  putFixed32(buf, off, lo);
  putFixed32(buf, off + 4, (v - lo) / TWO32);
}

export function getFixed64(buf: Uint8Array, off: number): number {
  return getFixed32(buf, off + 4) * TWO32 + getFixed32(buf, off);
}

/** Bytes a varint of `v` takes. */
export function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes `v` (0 <= v < 2^53) at `off`; returns the offset after it. */
export function putVarint(buf: Uint8Array, off: number, v: number): number {
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80;
    v = v < TWO32 ? v >>> 7 : Math.floor(v / 128);
  }
  buf[off++] = v;
  return off;
}

/**
 * Reads a varint at `pos` not past `limit`. Returns the value and stores the next offset in `cursor.pos`.
 * Returns -1 (and leaves cursor.pos) when the varint is truncated or longer than 8 bytes (> 2^56).
 */
export function getVarint(buf: Uint8Array, pos: number, limit: number, cursor: { pos: number }): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8 && pos < limit; i++) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      cursor.pos = pos;
      return result;
    }
    mul *= 128;
  }
  return -1;
}
