// Reference decoders written from docs/format.md, independent of src/: the oracle for differential targets.
// They favour obviousness over speed (BigInt arithmetic, arrays of entries).

/** LEB128 varint at `pos`, at most 8 bytes, not past `limit`; undefined when truncated or longer. */
export function refVarint(
  b: Uint8Array,
  pos: number,
  limit: number,
): { value: number; next: number } | undefined {
  let v = 0n;
  for (let i = 0; i < 8; i++) {
    if (pos + i >= limit || pos + i >= b.length) return undefined;
    const x = b[pos + i]!;
    v |= BigInt(x & 0x7f) << BigInt(7 * i);
    if (x < 0x80) return { value: Number(v), next: pos + i + 1 };
  }
  return undefined;
}

export function refFixed64(b: Uint8Array, pos: number): number {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[pos + i]!);
  return Number(v);
}

export interface RefEntry {
  /** Whole key bytes as a binary string (user key + trailer bytes in blocks with trailers). */
  key: string;
  valueStart: number;
  valueLength: number;
  /** Offset of the entry from the block start, and its `shared` field. */
  at: number;
  shared: number;
}

export interface RefBlock {
  entries: RefEntry[];
  restarts: number[];
}

/**
 * Block contents b[start, end) (format.md "Block contents"): entries, then fixed32 restarts, then their
 * count (>= 1). Undefined when malformed: too short, bad count, a truncated or over-long varint, shared >
 * previous key length, a key or value past the restart array, or (with trailers) a key under 8 bytes.
 */
export function refDecodeBlock(
  b: Uint8Array,
  start: number,
  end: number,
  trailers: boolean,
): RefBlock | undefined {
  if (end - start < 4) return undefined;
  const u32 = (p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  const n = u32(end - 4);
  if (n === 0 || end - 4 - 4 * n < start) return undefined;
  const limit = end - 4 - 4 * n;
  const restarts: number[] = [];
  for (let i = 0; i < n; i++) restarts.push(u32(limit + 4 * i));
  const entries: RefEntry[] = [];
  let prev = '';
  let p = start;
  while (p < limit) {
    const s = refVarint(b, p, limit);
    if (s === undefined) return undefined;
    const u = refVarint(b, s.next, limit);
    if (u === undefined) return undefined;
    const vl = refVarint(b, u.next, limit);
    if (vl === undefined) return undefined;
    const keyStart = vl.next;
    if (s.value > prev.length || keyStart + u.value + vl.value > limit) return undefined;
    let key = prev.slice(0, s.value);
    for (let i = 0; i < u.value; i++) key += String.fromCharCode(b[keyStart + i]!);
    if (trailers && key.length < 8) return undefined;
    entries.push({
      key,
      valueStart: keyStart + u.value,
      valueLength: vl.value,
      at: p - start,
      shared: s.value,
    });
    prev = key;
    p = keyStart + u.value + vl.value;
  }
  return { entries, restarts };
}

/** User key and trailer of a whole internal key (binary string). */
export function splitInternalKey(k: string): { user: string; trailer: number } {
  let t = 0n;
  for (let i = 7; i >= 0; i--) t = (t << 8n) | BigInt(k.charCodeAt(k.length - 8 + i));
  return { user: k.slice(0, k.length - 8), trailer: Number(t) };
}
