// Keyed 32-bit hash of keys for in-memory hash tables: HalfSipHash-1-3 (Aumasson and Bernstein's SipHash on
// 32-bit words; Linux uses it as hsiphash for the same job). With a secret random key, inputs cannot be chosen
// to collide. LevelDB's Hash (the bloom filters', with a public fixed seed) does not give that even with a
// random seed: its collisions are easy to craft and largely survive a change of seed.
//   state: v0 = k0, v1 = k1, v2 = k0 ^ 0x6c796765, v3 = k1 ^ 0x74656462; for each 4-byte little-endian word m
//   (the last one is (length << 24) | the 0–3 remaining bytes): v3 ^= m, c rounds, v0 ^= m; then v2 ^= 0xff,
//   d rounds; result v1 ^ v3. HalfSipHash-c-d; the engine uses c = 1, d = 3.
// The two hot functions write the rounds out with the state in locals, on purpose: the same code with the
// state in an array and rounds as calls (halfSipHashRounds, kept as the tested reference) cost 140 ns more
// per memtable insert (measured with scripts/memtable-probe.mjs).

/** HalfSipHash-1-3 of a binary-string key (one char per byte) under the 64-bit key (k0, k1). */
export function halfSipHashBinary(key: string, k0: number, k1: number): number {
  const n = key.length;
  let v0 = k0;
  let v1 = k1;
  let v2 = k0 ^ 0x6c796765;
  let v3 = k1 ^ 0x74656462;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const m =
      key.charCodeAt(i) |
      (key.charCodeAt(i + 1) << 8) |
      (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24);
    v3 ^= m;
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m;
  }
  let b = n << 24;
  const rest = n - i;
  if (rest === 3) b |= key.charCodeAt(i + 2) << 16;
  if (rest >= 2) b |= key.charCodeAt(i + 1) << 8;
  if (rest >= 1) b |= key.charCodeAt(i);
  // The last word (length and remaining bytes): one round, then v2 ^= 0xff and three rounds.
  v3 ^= b;
  for (let r = 0; r < 4; r++) {
    if (r === 1) {
      v0 ^= b;
      v2 ^= 0xff;
    }
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  return v1 ^ v3;
}

/** HalfSipHash-1-3 of buf[start, end): the same value as halfSipHashBinary of those bytes. */
export function halfSipHashBytes(
  buf: Uint8Array,
  start: number,
  end: number,
  k0: number,
  k1: number,
): number {
  let v0 = k0;
  let v1 = k1;
  let v2 = k0 ^ 0x6c796765;
  let v3 = k1 ^ 0x74656462;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const m = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    v3 ^= m;
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m;
  }
  let b = (end - start) << 24;
  const rest = end - i;
  if (rest === 3) b |= buf[i + 2]! << 16;
  if (rest >= 2) b |= buf[i + 1]! << 8;
  if (rest >= 1) b |= buf[i]!;
  // The last word (length and remaining bytes): one round, then v2 ^= 0xff and three rounds.
  v3 ^= b;
  for (let r = 0; r < 4; r++) {
    if (r === 1) {
      v0 ^= b;
      v2 ^= 0xff;
    }
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  return v1 ^ v3;
}

/**
 * HalfSipHash-c-d of buf[start, end), written plainly (state in an array, rounds in loops): the reference the
 * tests check against the published HalfSipHash-2-4 vectors and the inlined 1-3 functions above against.
 */
export function halfSipHashRounds(
  buf: Uint8Array,
  start: number,
  end: number,
  k0: number,
  k1: number,
  c: number,
  d: number,
): number {
  const s = state(k0, k1);
  let i = start;
  for (; i + 4 <= end; i += 4)
    compress(s, buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24), c);
  let b = (end - start) << 24;
  const rest = end - i;
  if (rest === 3) b |= buf[i + 2]! << 16;
  if (rest >= 2) b |= buf[i + 1]! << 8;
  if (rest >= 1) b |= buf[i]!;
  return finish(s, b, c, d);
}

/** The four state words; reused (hashing is synchronous and never re-entered). */
const v = new Int32Array(4);

function state(k0: number, k1: number): Int32Array {
  v[0] = k0;
  v[1] = k1;
  v[2] = k0 ^ 0x6c796765;
  v[3] = k1 ^ 0x74656462;
  return v;
}

function compress(s: Int32Array, m: number, c: number): void {
  s[3] ^= m;
  for (let r = 0; r < c; r++) sipRound(s);
  s[0] ^= m;
}

function finish(s: Int32Array, b: number, c: number, d: number): number {
  compress(s, b, c);
  s[2] ^= 0xff;
  for (let r = 0; r < d; r++) sipRound(s);
  return s[1]! ^ s[3]!;
}

function sipRound(s: Int32Array): void {
  let v0 = s[0]!;
  let v1 = s[1]!;
  let v2 = s[2]!;
  let v3 = s[3]!;
  v0 = (v0 + v1) | 0;
  v1 = (v1 << 5) | (v1 >>> 27);
  v1 ^= v0;
  v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0;
  v3 = (v3 << 8) | (v3 >>> 24);
  v3 ^= v2;
  v0 = (v0 + v3) | 0;
  v3 = (v3 << 7) | (v3 >>> 25);
  v3 ^= v0;
  v2 = (v2 + v1) | 0;
  v1 = (v1 << 13) | (v1 >>> 19);
  v1 ^= v2;
  v2 = (v2 << 16) | (v2 >>> 16);
  s[0] = v0;
  s[1] = v1;
  s[2] = v2;
  s[3] = v3;
}
