// A tiny seeded pseudo-random generator (mulberry32) so that fault and crash tests replay exactly from a
// seed. Not for anything but tests: 32 bits of state, period 2^32. Never use Math.random in src/fs.

/** A deterministic generator: `next()` in [0, 1), `int(n)` in [0, n). Same seed, same sequence. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n) (REQUIRES: n >= 1). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
