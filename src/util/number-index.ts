// A hash map from non-negative integer keys (< 2^53) to int32 values, in two typed arrays: open addressing
// with linear probing and backward-shift deletion (no tombstones). It replaces a Map<number, number> whose keys
// above 2^31 are heap numbers: every set allocated one, and deletes made the Map rehash (measured: Map
// lookups and rehashes were 7% of a random getSync, docs/performance.md).
//
// Invariants: the table length is a power of two and at least twice the entry count; an empty bucket holds
// EMPTY (-1) in #keys; every key sits in the first bucket of its probe run at or after its home bucket with
// no empty bucket in between.

const EMPTY = -1;
const MIN_BUCKETS = 16;

/** Mixes the 53-bit integer key into a 32-bit hash (both halves matter: the block cache puts a table slot in
 *  the high bits and a file offset in the low ones). */
function hashOf(key: number): number {
  const lo = key | 0; // ToInt32 keeps the low 32 bits of an integer below 2^53 exactly
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumberIndex {
  #keys: Float64Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;

  constructor(expected = 0) {
    let n = MIN_BUCKETS;
    while (n < expected * 2) n *= 2;
    this.#keys = new Float64Array(n).fill(EMPTY);
    this.#values = new Int32Array(n);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored under `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let b = hashOf(key) & mask; ; b = (b + 1) & mask) {
      const k = keys[b]!;
      if (k === key) return this.#values[b]!;
      if (k === EMPTY) return -1;
    }
  }

  /** Stores `value` (an int32) under `key` (an integer in [0, 2^53)), replacing any value there. */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#resize(this.#keys.length * 2);
    const keys = this.#keys;
    const mask = this.#mask;
    for (let b = hashOf(key) & mask; ; b = (b + 1) & mask) {
      const k = keys[b]!;
      if (k === key) {
        this.#values[b] = value;
        return;
      }
      if (k === EMPTY) {
        keys[b] = key;
        this.#values[b] = value;
        this.#size++;
        return;
      }
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: number): boolean {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let b = hashOf(key) & mask;
    for (; ; b = (b + 1) & mask) {
      const k = keys[b]!;
      if (k === key) break;
      if (k === EMPTY) return false;
    }
    // Backward shift: move later members of the probe run into the hole when their home bucket allows it.
    let hole = b;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === EMPTY) break;
      const home = hashOf(k) & mask;
      // k may fill the hole iff its home is not in the cyclic range (hole, j].
      const homeInRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!homeInRange) {
        keys[hole] = k;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.#size--;
    return true;
  }

  clear(): void {
    this.#keys.fill(EMPTY);
    this.#size = 0;
  }

  #resize(n: number): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    this.#keys = new Float64Array(n).fill(EMPTY);
    this.#values = new Int32Array(n);
    this.#mask = n - 1;
    this.#size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] !== EMPTY) this.set(oldKeys[i]!, oldValues[i]!);
    }
  }
}
