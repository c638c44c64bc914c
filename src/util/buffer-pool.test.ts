import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, MIN_POOLED, sharedBuffer } from './buffer-pool.js';

test('take returns a given buffer of min to min + min/4 bytes, whole, once', () => {
  const pool = new BufferPool(1 << 20);
  const a = Buffer.allocUnsafe(100_000);
  pool.give(a.subarray(0, 10)); // the whole ArrayBuffer is pooled, whatever view is given
  assert.equal(pool.bytes, 100_000);
  assert.equal(pool.take(100_001), undefined, 'too small');
  assert.equal(pool.take(79_000), undefined, 'more than a quarter too large');
  const b = pool.take(80_000)!;
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 100_000);
  assert.equal(pool.bytes, 0);
  assert.equal(pool.take(80_000), undefined, 'handed out once');
});

test('give ignores small buffers (Node shares their memory) and stops at the byte cap', () => {
  const pool = new BufferPool(3 * MIN_POOLED);
  pool.give(Buffer.allocUnsafe(100)); // from Node's shared 8 KiB pool
  pool.give(Buffer.allocUnsafe(MIN_POOLED - 1));
  assert.equal(pool.bytes, 0);
  pool.give(Buffer.allocUnsafe(MIN_POOLED));
  pool.give(Buffer.allocUnsafe(MIN_POOLED));
  pool.give(Buffer.allocUnsafe(2 * MIN_POOLED)); // over the cap: dropped
  assert.equal(pool.bytes, 2 * MIN_POOLED);
});

test('shared buffers made in this thread are pooled; shared memory from elsewhere never is', () => {
  const pool = new BufferPool(1 << 20);
  const own = sharedBuffer(MIN_POOLED);
  assert.ok(own.buffer instanceof SharedArrayBuffer);
  pool.give(Buffer.from(new SharedArrayBuffer(MIN_POOLED))); // as another thread's memory arrives here
  assert.equal(pool.bytes, 0);
  pool.give(own);
  assert.equal(pool.bytes, MIN_POOLED);
  assert.equal(pool.take(MIN_POOLED)!.buffer, own.buffer);
});

test('grow and shrink move the cap; shrink drops held buffers until the rest fit', () => {
  const pool = new BufferPool(0);
  pool.give(Buffer.allocUnsafe(MIN_POOLED));
  assert.equal(pool.bytes, 0, 'a zero cap holds nothing');
  pool.grow(3 * MIN_POOLED);
  assert.equal(pool.maxBytes, 3 * MIN_POOLED);
  for (let i = 0; i < 3; i++) pool.give(Buffer.allocUnsafe(MIN_POOLED));
  assert.equal(pool.bytes, 3 * MIN_POOLED);
  pool.shrink(2 * MIN_POOLED);
  assert.equal(pool.maxBytes, MIN_POOLED);
  assert.equal(pool.bytes, MIN_POOLED);
  assert.ok(pool.take(MIN_POOLED) !== undefined, 'what fits stays usable');
  assert.equal(pool.take(MIN_POOLED), undefined);
  pool.shrink(10 * MIN_POOLED);
  assert.equal(pool.maxBytes, 0, 'never below zero');
});
