import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IN_FLIGHT } from './db-bench.js';
import { KeySpace, MISSING_KEY_RING, indexArray, permutation, randomIndexes } from './data.js';

test('indexArray: successive workloads share one buffer, cut to the length asked for', () => {
  const a = indexArray(1000);
  const b = indexArray(10);
  assert.equal(a.length, 1000);
  assert.equal(b.length, 10);
  assert.equal(b.buffer, a.buffer, 'no new buffer for a shorter array');
  const c = indexArray(5000);
  assert.equal(c.length, 5000);
  assert.equal(indexArray(5000).buffer, c.buffer);
});

test('permutation and randomIndexes: the same figures into a reused buffer as into a new one', () => {
  const fresh = permutation(5000, 42);
  const reused = permutation(5000, 42, indexArray(5000));
  assert.deepEqual([...reused], [...fresh]);
  assert.deepEqual(
    [...reused].sort((x, y) => x - y),
    Array.from({ length: 5000 }, (_, i) => i),
    'every index exactly once',
  );
  const r = randomIndexes(3000, 700, 7, indexArray(3000));
  assert.deepEqual([...r], [...randomIndexes(3000, 700, 7)]);
  assert.ok(r.every((i) => i < 700));
});

test('KeySpace.missingKey: absent keys between the written ones, valid for a ring of later calls', () => {
  const keys = new KeySpace(1234); // not a multiple of 10: the last decade is short
  const text = (b: Buffer): string => b.toString('latin1');
  const held: [string, Buffer][] = [];
  for (let i = 0; i < keys.count; i++) {
    const m = keys.missingKey(i);
    const expected =
      'key' + String(Math.floor(i / 10)).padStart(12, '0') + String.fromCharCode(0x61 + (i % 10));
    assert.equal(text(m), expected);
    const below = Math.min(Math.floor(i / 10) * 10 + 9, keys.count - 1);
    assert.ok(Buffer.compare(keys.key(below), m) < 0, `${expected} after ${text(keys.key(below))}`);
    if (below + 1 < keys.count) assert.ok(Buffer.compare(m, keys.key(below + 1)) < 0);
    held.push([expected, m]);
    if (held.length === MISSING_KEY_RING) {
      const [was, first] = held.shift()!;
      assert.equal(text(first), was, 'unchanged by later calls');
    }
  }
  assert.ok(IN_FLIGHT < MISSING_KEY_RING, 'a key outlives every read in flight');
});
