// YCSB's request distributions, as its core package defines them (site.ycsb.generator): Zipfian
// (Gray et al., "Quickly generating billion-record synthetic databases", SIGMOD 1994), the scrambled
// Zipfian that spreads the popular items over the key space with an FNV-1a hash, and the skewed
// 'latest' distribution that favours the most recently inserted items. Pure functions of a seeded Rng;
// the workloads draw from them before any clock starts.
import type { Rng } from './data.js';

/** YCSB's default Zipfian constant (theta). */
export const ZIPFIAN_CONSTANT = 0.99;
/** The scrambled generator draws from this many items, then hashes into the real range (YCSB). */
export const SCRAMBLED_ITEM_COUNT = 10_000_000_000;
/** zeta(SCRAMBLED_ITEM_COUNT, 0.99), precomputed by YCSB (a sum of 10^10 terms). */
export const SCRAMBLED_ZETAN = 26.46902820178302;

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;
const I64_MIN = 1n << 63n;

/** YCSB's fnvhash64: FNV-1a over the 8 little-endian bytes of `v`, as a non-negative Java long. */
export function fnv64(v: bigint): bigint {
  let h = FNV_OFFSET_64;
  for (let i = 0; i < 8; i++) {
    h ^= v & 0xffn;
    v >>= 8n;
    h = (h * FNV_PRIME_64) & U64;
  }
  const signed = h >= I64_MIN ? h - (1n << 64n) : h;
  return signed < 0n ? -signed : signed;
}

/** zeta(n) = Σ_{i=1..n} 1/i^theta, extended from `from` items whose sum is `sum`. */
export function zeta(from: number, n: number, theta: number, sum = 0): number {
  for (let i = from; i < n; i++) sum += 1 / Math.pow(i + 1, theta);
  return sum;
}

/**
 * Zipfian over [0, n): item 0 is the most popular. `next(count)` may grow the item count (the 'latest'
 * distribution grows it with every insert); zeta is then extended incrementally, O(growth).
 */
export class Zipfian {
  readonly #rng: Rng;
  readonly #theta: number;
  readonly #alpha: number;
  readonly #zeta2: number;
  #n: number;
  #zetan: number;
  #eta: number;

  constructor(n: number, rng: Rng, theta = ZIPFIAN_CONSTANT, zetan?: number) {
    if (n < 1) throw new RangeError('Zipfian needs at least one item');
    this.#rng = rng;
    this.#theta = theta;
    this.#alpha = 1 / (1 - theta);
    this.#zeta2 = zeta(0, 2, theta);
    this.#n = n;
    this.#zetan = zetan ?? zeta(0, n, theta);
    this.#eta = this.#etaFor(n);
  }

  get items(): number {
    return this.#n;
  }

  #etaFor(n: number): number {
    return (1 - Math.pow(2 / n, 1 - this.#theta)) / (1 - this.#zeta2 / this.#zetan);
  }

  /** The next item in [0, count); `count` (default: the current item count) never shrinks it. */
  next(count = this.#n): number {
    if (count > this.#n) {
      this.#zetan = zeta(this.#n, count, this.#theta, this.#zetan);
      this.#n = count;
      this.#eta = this.#etaFor(count);
    }
    const n = this.#n;
    const u = this.#rng.float();
    const uz = u * this.#zetan;
    if (uz < 1) return 0;
    if (uz < 1 + Math.pow(0.5, this.#theta)) return 1;
    const item = Math.floor(n * Math.pow(this.#eta * u - this.#eta + 1, this.#alpha));
    return Math.min(item, n - 1);
  }
}

/**
 * YCSB's ScrambledZipfianGenerator over [0, n): a Zipfian draw over 10^10 items, FNV-hashed and reduced
 * mod n, so the popular items are scattered over the key space instead of clustered at its start.
 */
export class ScrambledZipfian {
  readonly #zipf: Zipfian;
  readonly #n: bigint;

  constructor(n: number, rng: Rng) {
    this.#zipf = new Zipfian(SCRAMBLED_ITEM_COUNT, rng, ZIPFIAN_CONSTANT, SCRAMBLED_ZETAN);
    this.#n = BigInt(n);
  }

  next(): number {
    return Number(fnv64(BigInt(this.#zipf.next())) % this.#n);
  }
}

/** YCSB's SkewedLatestGenerator: `last - zipfian(last + 1)`, so the newest item is the most popular. */
export class SkewedLatest {
  readonly #zipf: Zipfian;

  /** `items`: the number of items that exist when the generator is made. */
  constructor(items: number, rng: Rng) {
    this.#zipf = new Zipfian(items, rng);
  }

  /** An item in [0, last], skewed towards `last` (the newest item that exists). */
  next(last: number): number {
    return last - this.#zipf.next(last + 1);
  }
}
