// Benchmark inputs, generated before any clock starts: 16-byte keys in one arena, values as views
// into a seeded random pool, shuffled permutations. Everything is a pure function of the seed, so
// every engine (and every repetition) sees the same keys, values and access order. Shared by the
// peer harness (bench/) and `granite bench` (src/cli/).
// Memory: keys cost 16 bytes each in one Buffer; values cost one shared pool, not one Buffer per key.

export const KEY_BYTES = 16;
const KEY_PREFIX = 'key';
const DIGITS = KEY_BYTES - KEY_PREFIX.length;
const VALUE_POOL_BYTES = 8 << 20;

/** sfc32: a small, fast, seedable PRNG (uniform 32-bit output). */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1), 32 bits of randomness. */
  float(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. */
  below(n: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * n);
  }

  fill(buf: Buffer): void {
    for (let i = 0; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(this.nextU32(), i);
    for (let i = buf.length & ~3; i < buf.length; i++) buf[i] = this.nextU32() & 0xff;
  }
}

/** murmur3 fmix32: a stateless hash, for per-key value offsets. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function formatKey(n: number): string {
  return KEY_PREFIX + String(n).padStart(DIGITS, '0');
}

/**
 * Missing keys are written into a ring of this many 16-byte slots: a key stays valid for this many later
 * missingKey() calls, more than the reads a driver keeps in flight (db-bench.ts IN_FLIGHT).
 */
export const MISSING_KEY_RING = 1024;

/**
 * Keys 'key' + 13-digit zero-padded index (exactly 16 bytes), stored back to back; `key(i)` is a
 * view, so the hot loop allocates a view and never formats a string.
 */
export class KeySpace {
  readonly count: number;
  #arena: Buffer;
  readonly #ring = Buffer.alloc(MISSING_KEY_RING * KEY_BYTES);
  #ringNext = 0;

  constructor(count: number) {
    this.count = count;
    this.#arena = Buffer.allocUnsafe(count * KEY_BYTES);
    for (let i = 0; i < count; i++) this.#arena.write(formatKey(i), i * KEY_BYTES, 'latin1');
  }

  key(i: number): Buffer {
    return this.#arena.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
  }

  /**
   * A key that is never written but falls inside the key range, between existing keys:
   * 'key' + 12 digits of ⌊i/10⌋ + one of 'a'..'j' sorts after key ⌊i/10⌋·10+9 and before the next
   * existing key, so range checks alone cannot reject it. Its first 15 bytes are those of key ⌊i/10⌋·10, copied
   * into the next slot of a small ring (valid for MISSING_KEY_RING calls) rather than kept for every i: the
   * harness's own memory counts in the peak RSS it measures.
   */
  missingKey(i: number): Buffer {
    const slot = this.#ringNext;
    this.#ringNext = slot + 1 === MISSING_KEY_RING ? 0 : slot + 1;
    const ring = this.#ring;
    const arena = this.#arena;
    const to = slot * KEY_BYTES;
    const from = Math.floor(i / 10) * 10 * KEY_BYTES;
    for (let b = 0; b < KEY_BYTES - 1; b++) ring[to + b] = arena[from + b]!;
    ring[to + KEY_BYTES - 1] = 0x61 + (i % 10);
    return ring.subarray(to, to + KEY_BYTES);
  }
}

/** Incompressible values: `value(i, gen)` is a fixed view into a seeded random pool. */
export class ValueSource {
  readonly size: number;
  #pool: Buffer;
  #span: number;

  constructor(size: number, seed: number) {
    this.size = size;
    this.#pool = Buffer.allocUnsafe(Math.max(VALUE_POOL_BYTES, size * 64));
    new Rng(seed).fill(this.#pool);
    this.#span = this.#pool.length - size + 1;
  }

  /** The value written for key index `i` by write generation `gen` (0 = first fill). */
  value(i: number, gen: number): Buffer {
    const off = mix32((i ^ Math.imul(gen + 1, 0x9e3779b9)) >>> 0) % this.#span;
    return this.#pool.subarray(off, off + this.size);
  }
}

let indexBuffer = new Uint32Array(0);

/**
 * A Uint32Array of `n` elements that every workload of this process reuses: valid until the next call. The
 * harness then frees no multi-MB buffer between workloads, so it does not raise glibc's mmap threshold for the
 * engine it measures (a freed malloc'd chunk raises it for the whole process: ADR 0021).
 */
export function indexArray(n: number): Uint32Array {
  if (indexBuffer.length < n) indexBuffer = new Uint32Array(n);
  return indexBuffer.subarray(0, n);
}

/** A seeded Fisher–Yates shuffle of 0..n-1 (every index exactly once, in random order), into `out`. */
export function permutation(n: number, seed: number, out: Uint32Array = new Uint32Array(n)): Uint32Array {
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** `n` uniform random indexes in [0, range), with replacement, into `out`. */
export function randomIndexes(
  n: number,
  range: number,
  seed: number,
  out: Uint32Array = new Uint32Array(n),
): Uint32Array {
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) out[i] = rng.below(range);
  return out;
}
