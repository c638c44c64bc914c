// Byte helpers. User keys travel inside the engine as "binary strings": one char per byte (latin1), whose
// native string comparison is exactly bytewise order. See docs/adr/0002-memtable.md.

interface Latin1Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
}

/** bytes[start, end) as a binary string. */
export function binaryString(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Buffer).latin1Slice(start, end);
}

/** A new Buffer holding the bytes of a binary string. */
export function bytesOfBinary(s: string): Buffer {
  const n = s.length;
  if (n > 64) return Buffer.from(s, 'latin1');
  // Short keys: a pooled allocUnsafe and a loop (57–60 vs 75–80 ns for 16 bytes: scripts/micro-probes.mjs keyout).
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Writes a binary string into buf at off; returns bytes written (= s.length). */
export function writeBinary(buf: Buffer, s: string, off: number): number {
  return (buf as unknown as Latin1Buffer).latin1Write(s, off, s.length);
}

/** A Buffer view of any Uint8Array without copying. */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** The smallest binary string greater than every string starting with `prefix`, or undefined if none exists. */
export function prefixSuccessor(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xff) end--;
  if (end === 0) return undefined;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}

/** A copy of bytes[start, end) as a fresh Buffer owned by the caller. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Buffer {
  const n = end - start;
  const out = Buffer.allocUnsafe(n);
  if (n <= 128) for (let i = 0; i < n; i++) out[i] = buf[start + i]!;
  else out.set(buf.subarray(start, end));
  return out;
}

/** Shared-memory copies of at least this many bytes go through Buffer#fill (scripts/micro-probes.mjs copy). */
const FILL_MIN_SHARED = 128;

const isShared = (u: Uint8Array): boolean => u.buffer instanceof SharedArrayBuffer;

/**
 * Copies src[start, end) into dst at `off`; returns the count. Into or out of shared memory, V8's
 * TypedArray#set copies byte by byte unless both ends have the same alignment modulo 8 (a relaxed atomic
 * copy): 37 µs for 128 KiB, against 1.4 µs through Buffer#fill, which memcpy's a value of the range's exact
 * length once. Between unshared buffers #set is the faster at every size.
 */
export function copyRange(dst: Buffer, off: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n <= 0) return 0;
  const view = start === 0 && end === src.byteLength ? src : src.subarray(start, end);
  if (n >= FILL_MIN_SHARED && (isShared(dst) || isShared(src))) dst.fill(view, off, off + n);
  else dst.set(view, off);
  return n;
}

/**
 * `buf` if it holds `need` bytes, else a larger Buffer (at least double) holding a copy of buf[0, used).
 * Growable encoders call it before writing.
 */
export function growBuffer<B extends Buffer>(buf: B, used: number, need: number): B {
  if (need <= buf.length) return buf;
  let cap = Math.max(buf.length * 2, 64);
  while (cap < need) cap *= 2;
  const next = Buffer.allocUnsafe(cap);
  next.set(buf.subarray(0, used));
  return next as B;
}
