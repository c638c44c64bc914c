import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IN_FLIGHT } from './db-bench.js';
import { KEY_RING, KeySpace, indexArray, permutation, randomIndexes } from './data.js';
import { SUSTAINED_BATCH } from './sustained.js';

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

test("KeySpace.key: 'key' and 13 zero-padded digits, the same bytes on every call", () => {
  const keys = new KeySpace();
  for (const i of [0, 7, 10, 999_999, 1_000_000, 9_999_999, 123_456_789_012, 9_999_999_999_999])
    assert.equal(keys.key(i).toString('latin1'), 'key' + String(i).padStart(13, '0'));
  assert.equal(keys.key(42).length, 16);
  assert.ok(Buffer.compare(keys.key(99), keys.key(100)) < 0, 'byte order is index order');
});

test('KeySpace.key: runs of consecutive indexes (incremented in place) give the same bytes as formatting', () => {
  const keys = new KeySpace();
  const expect = (i: number): string => 'key' + String(i).padStart(13, '0');
  for (const start of [0, 9_990, 999_990, 9_999_999_990, 123]) {
    for (let i = start; i < start + 25; i++) assert.equal(keys.key(i).toString('latin1'), expect(i));
  }
  keys.key(41);
  for (let n = 0; n < KEY_RING; n++) keys.missingKey(n); // every slot rewritten, the one of key 41 too
  assert.equal(keys.key(42).toString('latin1'), expect(42));
  for (let i = 0; i < 3 * KEY_RING; i++) {
    const k = keys.key(i).toString('latin1');
    if (i % 997 === 0)
      assert.equal(keys.missingKey(i).toString('latin1').slice(0, 15), expect(i - (i % 10)).slice(0, 15));
    assert.equal(k, expect(i));
  }
});

test('KeySpace.missingKey: absent keys between the written ones', () => {
  const count = 1234; // not a multiple of 10: the last decade is short
  const keys = new KeySpace();
  const text = (b: Buffer): string => b.toString('latin1');
  for (let i = 0; i < count; i++) {
    const m = keys.missingKey(i);
    const expected =
      'key' + String(Math.floor(i / 10)).padStart(12, '0') + String.fromCharCode(0x61 + (i % 10));
    assert.equal(text(m), expected);
    const below = Math.min(Math.floor(i / 10) * 10 + 9, count - 1);
    assert.ok(Buffer.compare(keys.key(below), m) < 0, `${expected} after ${text(keys.key(below))}`);
    if (below + 1 < count) assert.ok(Buffer.compare(m, keys.key(below + 1)) < 0);
  }
});

test('KeySpace: a key stays valid for KEY_RING - 1 later calls of either kind, more than any driver holds', () => {
  const keys = new KeySpace();
  const first = keys.key(5);
  const missing = keys.missingKey(77);
  for (let n = 0; n < KEY_RING - 2; n++) {
    if (n % 2 === 0) keys.key(n);
    else keys.missingKey(n);
  }
  assert.equal(first.toString('latin1'), 'key0000000000005', 'unchanged after KEY_RING - 1 later calls');
  assert.equal(missing.toString('latin1'), 'key000000000007h');
  keys.key(8); // the ring wraps: the first slot is written again
  assert.equal(first.toString('latin1'), 'key0000000000008');
  assert.ok(IN_FLIGHT + SUSTAINED_BATCH < KEY_RING, 'a key outlives a batch and every read in flight');
});
