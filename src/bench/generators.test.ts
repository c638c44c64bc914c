// YCSB request distributions: determinism, ranges, and the frequencies the Zipfian formula fixes exactly
// (items 0 and 1; the scrambled generator's most popular key; 'latest' favouring the newest item).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './data.js';
import {
  SCRAMBLED_ZETAN,
  ScrambledZipfian,
  SkewedLatest,
  ZIPFIAN_CONSTANT,
  Zipfian,
  fnv64,
  zeta,
} from './generators.js';

const SEED = 20240611;
const DRAWS = 100_000;

function histogram(n: number, draw: () => number): Uint32Array {
  const h = new Uint32Array(n);
  for (let i = 0; i < DRAWS; i++) {
    const x = draw();
    assert.ok(Number.isInteger(x) && x >= 0 && x < n, `draw ${x} outside [0, ${n}) (seed ${SEED})`);
    h[x]!++;
  }
  return h;
}

test('fnv64 matches YCSB fnvhash64 (first keys of a YCSB load)', () => {
  assert.equal(fnv64(0n), 6284781860667377211n);
  assert.equal(fnv64(1n), 8517097267634966620n);
});

test('Zipfian: same seed, same sequence', () => {
  const a = new Zipfian(1000, new Rng(SEED));
  const b = new Zipfian(1000, new Rng(SEED));
  for (let i = 0; i < 1000; i++) assert.equal(a.next(), b.next());
});

test('Zipfian: items 0 and 1 have probability 1/zeta(n) and 1/(2^theta zeta(n))', () => {
  const n = 1000;
  const z = new Zipfian(n, new Rng(SEED));
  const h = histogram(n, () => z.next());
  const zetan = zeta(0, n, ZIPFIAN_CONSTANT);
  assert.ok(Math.abs(h[0]! / DRAWS - 1 / zetan) < 0.006, `p(0) = ${h[0]! / DRAWS}, seed ${SEED}`);
  const p1 = 1 / (Math.pow(2, ZIPFIAN_CONSTANT) * zetan);
  assert.ok(Math.abs(h[1]! / DRAWS - p1) < 0.006, `p(1) = ${h[1]! / DRAWS}, seed ${SEED}`);
  const tail = h.subarray(500).reduce((a, x) => a + x, 0);
  assert.ok(h[0]! > h[1]! && h[1]! > h[10]! && tail > 0, `skew and reach (seed ${SEED})`);
});

test('Zipfian: a larger count grows the range', () => {
  const z = new Zipfian(10, new Rng(SEED));
  let max = 0;
  for (let i = 0; i < 20_000; i++) max = Math.max(max, z.next(1000));
  assert.equal(z.items, 1000);
  assert.ok(max >= 10 && max < 1000, `max ${max} (seed ${SEED})`);
});

test("ScrambledZipfian: YCSB's most popular item is fnv64(0) mod n, at p ≈ 1/zeta(10^10)", () => {
  const n = 10_007;
  const s = new ScrambledZipfian(n, new Rng(SEED));
  const h = histogram(n, () => s.next());
  const top = Number(fnv64(0n) % BigInt(n));
  const p = h[top]! / DRAWS;
  assert.ok(Math.abs(p - 1 / SCRAMBLED_ZETAN) < 0.005, `p(top) = ${p}, seed ${SEED}`);
  assert.equal(h.indexOf(Math.max(...h)), top);
  // Popular items are scattered: the busiest 10 are not one contiguous run at the start.
  const busiest = [...h.keys()].sort((a, b) => h[b]! - h[a]!).slice(0, 10);
  assert.ok(Math.max(...busiest) > n / 10, `busiest ${busiest.join(',')} (seed ${SEED})`);
});

test('SkewedLatest: draws in [0, last], the newest item most often', () => {
  const latest = new SkewedLatest(1000, new Rng(SEED));
  const h = new Uint32Array(2000);
  for (let i = 0; i < DRAWS; i++) {
    const last = 999 + Math.floor(i / 100); // grows by one every 100 draws, as inserts would
    const x = latest.next(last);
    assert.ok(x >= 0 && x <= last, `draw ${x} outside [0, ${last}] (seed ${SEED})`);
    h[last - x]!++; // distance from the newest
  }
  assert.ok(h[0]! > h[1]! && h[1]! > h[100]!, `distance histogram not skewed to 0 (seed ${SEED})`);
});
