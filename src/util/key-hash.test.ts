import { test } from 'node:test';
import assert from 'node:assert/strict';
import { halfSipHashBinary, halfSipHashBytes, halfSipHashRounds } from './key-hash.js';

test('HalfSipHash-2-4 matches the reference 32-bit vectors (key 00..07, messages 00..i-1)', () => {
  // vectors_hsip32[0..8] of the SipHash reference implementation.
  const want = [
    0x5b9f35a9, 0xb85a4727, 0x03a662fa, 0x04e7fe8a, 0x89466e2a, 0x69b6fac5, 0x23fc6358, 0xc563cf8b,
    0x8f84b8d0,
  ];
  const msg = Uint8Array.from({ length: 16 }, (_, i) => i);
  want.forEach((w, i) =>
    assert.equal(halfSipHashRounds(msg, 0, i, 0x03020100, 0x07060504, 2, 4) >>> 0, w, `length ${i}`),
  );
});

test('halfSipHashBytes equals halfSipHashBinary of the same bytes, for any key', () => {
  const buf = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
  for (const [k0, k1] of [
    [0, 0],
    [0x01234567, -0x76543211],
    [-1, 12345],
  ] as const)
    for (let start = 0; start < 8; start++)
      for (let end = start; end <= buf.length; end += 1 + (end % 5))
        assert.equal(
          halfSipHashBytes(buf, start, end, k0, k1),
          halfSipHashBinary(buf.toString('latin1', start, end), k0, k1),
          `${k0} ${start}..${end}`,
        );
});

test('the inlined HalfSipHash-1-3 equals the plain c-d version with c = 1, d = 3', () => {
  const buf = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 101 + 7) & 0xff));
  for (const [k0, k1] of [
    [0, 0],
    [0x5a5a5a5a, -2],
  ] as const)
    for (let start = 0; start < 5; start++)
      for (let end = start; end <= buf.length; end += 1 + (end % 7))
        assert.equal(
          halfSipHashBytes(buf, start, end, k0, k1),
          halfSipHashRounds(buf, start, end, k0, k1, 1, 3),
          `${start}..${end}`,
        );
});
