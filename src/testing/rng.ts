// A small seeded generator (mulberry32) and key/value generators built on it: deterministic for a seed, so a
// failing test prints its seed and reruns exactly. Never exported from the package.

export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** A seed from the environment variable SEED, or a random one. */
export function seedFromEnv(name = 'SEED'): number {
  const s = process.env[name];
  return s !== undefined && s !== '' ? Number(s) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

/** Keys with shared prefixes, 0x00 and 0xff bytes: `prefix` ++ index as 4 bytes big-endian ++ tail. */
export function keyOf(i: number, prefix = 'k'): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(i >>> 0);
  return Buffer.concat([Buffer.from(prefix, 'latin1'), b]);
}

/** A value derived from (key index, version) and a length, so a reader can recompute what it expects. */
export function valueOf(i: number, version: number, length = 16): Buffer {
  const head = Buffer.from(`v${i}.${version}:`, 'latin1');
  if (length <= head.length) return head.subarray(0, Math.max(length, 0));
  const out = Buffer.alloc(length, (i * 31 + version) & 0xff);
  head.copy(out);
  return out;
}
