// Benchmark inputs: 16-byte keys written on demand into a small ring (as db_bench formats each key), values
// as views into a seeded random pool, shuffled permutations. Everything is a pure function of the seed, so
// every engine (and every repetition) sees the same keys, values and access order. Shared by the
// peer harness (bench/) and `granite bench` (src/cli/).
// Memory: the keys cost one 256 KiB ring whatever their number, values one shared pool: the harness's own
// memory counts in the peak RSS it measures.

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

/**
 * Keys are written into a ring of this many 16-byte slots: a key stays valid for this many later key() or
 * missingKey() calls. Every driver is done with a key well before then: a batch holds 1000, the async drivers
 * keep IN_FLIGHT (db-bench.ts) in flight, and the engines copy a key when they are called.
 */
export const KEY_RING = 16_384;

/**
 * Keys 'key' + 13-digit zero-padded index (exactly 16 bytes). `key(i)` writes the digits into the next ring
 * slot and returns a view of it: no string, no allocation but the view.
 */
export class KeySpace {
  readonly #ring = Buffer.alloc(KEY_RING * KEY_BYTES);
  #next = 0;
  /** The index and ring offset of the last key(): the next index is written by incrementing it. */
  #lastIndex = -2;
  #lastAt = -1;

  constructor() {
    for (let at = 0; at < this.#ring.length; at += KEY_BYTES) this.#ring.write(KEY_PREFIX, at, 'latin1');
  }

  /** 'key' + the 13 digits of i. The key after the previous one (sequential fills) is that key plus one. */
  key(i: number): Buffer {
    const ring = this.#ring;
    const at = this.#slot();
    const prev = this.#lastAt;
    if (i === this.#lastIndex + 1 && prev >= 0) {
      for (let b = 0; b < KEY_BYTES; b++) ring[at + b] = ring[prev + b]!;
      let p = at + KEY_BYTES - 1;
      while (ring[p] === 0x39 && p > at + KEY_PREFIX.length) ring[p--] = 0x30;
      ring[p]!++;
    } else {
      writeDigits(ring, at + KEY_PREFIX.length, DIGITS, i);
    }
    this.#lastIndex = i;
    this.#lastAt = at;
    return ring.subarray(at, at + KEY_BYTES);
  }

  /**
   * A key that is never written but falls inside the key range, between existing keys: 'key' + 12 digits of
   * ⌊i/10⌋ + one of 'a'..'j' sorts after key ⌊i/10⌋·10+9 and before the next existing key, so range checks
   * alone cannot reject it.
   */
  missingKey(i: number): Buffer {
    this.#lastIndex = -2; // the next key() formats in full
    const at = this.#slot();
    writeDigits(this.#ring, at + KEY_PREFIX.length, DIGITS - 1, Math.floor(i / 10));
    this.#ring[at + KEY_BYTES - 1] = 0x61 + (i % 10);
    return this.#ring.subarray(at, at + KEY_BYTES);
  }

  #slot(): number {
    const slot = this.#next;
    this.#next = slot + 1 === KEY_RING ? 0 : slot + 1;
    return slot * KEY_BYTES;
  }
}

/** '00'..'99' back to back: two digits per division. */
const DIGIT_PAIRS = Buffer.from(
  Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''),
  'latin1',
);

/** Writes n (a non-negative integer) as `width` zero-padded decimal digits at buf[at]. */
function writeDigits(buf: Buffer, at: number, width: number, n: number): void {
  let p = at + width;
  // Above 2^31 - 1 the bitwise division would wrap: peel digits off as doubles until n fits.
  while (n > 0x7fffffff && p > at) {
    const q = Math.floor(n / 10);
    buf[--p] = 0x30 + n - q * 10;
    n = q;
  }
  while (p - at >= 2) {
    const q = (n / 100) | 0;
    const r = (n - q * 100) * 2;
    buf[--p] = DIGIT_PAIRS[r + 1]!;
    buf[--p] = DIGIT_PAIRS[r]!;
    n = q;
  }
  if (p > at) buf[--p] = 0x30 + (n % 10);
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
