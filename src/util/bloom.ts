// Whole-table bloom filter over user keys (docs/format.md, "Filter block"). One 32-bit hash per key (LevelDB's
// Hash with seed 0xbc9f1d34), k probes by double hashing with delta = rotr(h, 17). DO NOT CHANGE: on disk.
//   contents := bits[ceil(n * bitsPerKey / 8), at least 8 bytes] numProbes:u8

const SEED = 0xbc9f1d34;
const M = 0xc6a4a793;

/** Hash of a binary-string key (one char per byte). */
export function bloomHash(key: string): number {
  const n = key.length;
  let h = (SEED ^ Math.imul(n, M)) >>> 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w =
      key.charCodeAt(i) |
      (key.charCodeAt(i + 1) << 8) |
      (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24);
    h = (h + w) >>> 0;
    h = Math.imul(h, M) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  const rest = n - i;
  if (rest === 3) h = (h + (key.charCodeAt(i + 2) << 16)) >>> 0;
  if (rest >= 2) h = (h + (key.charCodeAt(i + 1) << 8)) >>> 0;
  if (rest >= 1) {
    h = (h + key.charCodeAt(i)) >>> 0;
    h = Math.imul(h, M) >>> 0;
    h = (h ^ (h >>> 24)) >>> 0;
  }
  return h;
}

export function probesFor(bitsPerKey: number): number {
  return Math.max(1, Math.min(30, Math.round(bitsPerKey * 0.69)));
}

/** Builds filter contents for the given key hashes. */
export function buildBloom(hashes: Uint32Array, count: number, bitsPerKey: number): Buffer {
  const out = emptyBloom(count, bitsPerKey);
  for (let i = 0; i < count; i++) addToBloom(out, hashes[i]!);
  return out;
}

/** Filter contents sized for `count` keys with no key added yet (add them with addToBloom). */
export function emptyBloom(count: number, bitsPerKey: number): Buffer {
  const bytes = Math.ceil(Math.max(64, count * bitsPerKey) / 8);
  const out = Buffer.alloc(bytes + 1);
  out[bytes] = probesFor(bitsPerKey);
  return out;
}

/** Sets the bits of the key whose hash is `h` in filter contents made by emptyBloom. */
export function addToBloom(filter: Buffer, h: number): void {
  const bytes = filter.length - 1;
  const k = filter[bytes]!;
  const nbits = bytes * 8;
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let j = 0; j < k; j++) {
    const pos = h % nbits;
    filter[pos >>> 3]! |= 1 << (pos & 7);
    h = (h + delta) >>> 0;
  }
}

/** False means the key is certainly absent. `filter[start, end)` is the filter contents. */
export function bloomMayContain(filter: Uint8Array, start: number, end: number, h: number): boolean {
  const bytes = end - start - 1;
  if (bytes <= 0) return true;
  const k = filter[end - 1]!;
  if (k > 30) return true; // reserved for future encodings: treat as "may match"
  const nbits = bytes * 8;
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let j = 0; j < k; j++) {
    const pos = h % nbits;
    if ((filter[start + (pos >>> 3)]! & (1 << (pos & 7))) === 0) return false;
    h = (h + delta) >>> 0;
  }
  return true;
}
