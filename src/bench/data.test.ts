import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexArray, permutation, randomIndexes } from './data.js';

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
