import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockCache } from './block-cache.js';

/** Fills `len` bytes at ring[off] with a pattern derived from (key, tag). */
function fill(ring: Buffer, off: number, len: number, key: number, tag: number): void {
  for (let i = 0; i < len; i++) ring[off + i] = (key * 31 + tag * 7 + i) & 0xff;
}
function matches(ring: Buffer, off: number, len: number, key: number, tag: number): boolean {
  for (let i = 0; i < len; i++) if (ring[off + i] !== ((key * 31 + tag * 7 + i) & 0xff)) return false;
  return true;
}

test('BlockCache: a hit always returns the bytes inserted under that key and tag (wraps, evictions, second chance)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 256, max: 4096 }),
      fc.array(
        fc.record({
          op: fc.constantFrom('insert', 'lookup', 'lookup', 'forget'),
          key: fc.integer({ min: 0, max: 40 }),
          tag: fc.integer({ min: 1, max: 3 }),
          len: fc.integer({ min: 1, max: 600 }),
        }),
        { maxLength: 400 },
      ),
      (capacity, ops) => {
        const cache = new BlockCache(capacity);
        const lengths = new Map<number, number>(); // key -> length last inserted (with its tag)
        const tags = new Map<number, number>();
        for (const o of ops) {
          if (o.op === 'insert') {
            const off = cache.reserve(o.key, o.tag, o.len);
            if (off < 0) {
              assert.ok(o.len > capacity >>> 3, 'only blocks over an eighth of the cache are refused');
              lengths.delete(o.key);
              continue;
            }
            assert.ok(off >= 0 && off + o.len <= capacity);
            fill(cache.ring, off, o.len, o.key, o.tag);
            lengths.set(o.key, o.len);
            tags.set(o.key, o.tag);
          } else if (o.op === 'forget') {
            cache.forget(o.key);
            lengths.delete(o.key);
          } else {
            const off = cache.lookup(o.key, o.tag);
            if (off < 0) continue; // a miss is always allowed (evicted)
            assert.equal(tags.get(o.key), o.tag, 'a hit only for the tag that was inserted');
            assert.equal(cache.lastLength, lengths.get(o.key));
            assert.ok(
              matches(cache.ring, off, cache.lastLength, o.key, o.tag),
              'bytes of a hit are the inserted bytes',
            );
          }
          assert.ok(cache.usedBytes <= capacity);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('BlockCache: recently inserted blocks stay; the oldest are evicted first', () => {
  const cache = new BlockCache(1000);
  for (let k = 0; k < 20; k++) fill(cache.ring, cache.reserve(k, 1, 100), 100, k, 1);
  for (let k = 12; k < 20; k++) assert.ok(cache.lookup(k, 1) >= 0, `newest block ${k} is cached`);
  assert.equal(cache.lookup(0, 1), -1, 'the oldest block was evicted');
  assert.equal(cache.lookup(19, 2), -1, 'another tag is a miss');
});

test('BlockCache: a hit in the oldest quarter moves the block to the head (second chance)', () => {
  const cache = new BlockCache(1000);
  for (let k = 0; k < 9; k++) fill(cache.ring, cache.reserve(k, 1, 100), 100, k, 1);
  const moved = cache.lookup(0, 1); // block 0 is the oldest
  assert.ok(moved >= 0 && matches(cache.ring, moved, 100, 0, 1));
  for (let k = 9; k < 12; k++) fill(cache.ring, cache.reserve(k, 1, 100), 100, k, 1);
  const again = cache.lookup(0, 1);
  assert.ok(again >= 0 && matches(cache.ring, again, 100, 0, 1), 'the moved block survived later inserts');
});

test('BlockCache: the slot queue grows past its initial size without reviving forgotten or moved keys', () => {
  const cache = new BlockCache(1 << 16);
  for (let k = 0; k < 3000; k++) {
    fill(cache.ring, cache.reserve(k, 1, 8), 8, k, 1);
    if (k % 3 === 0) cache.forget(k); // leaves a stale slot behind in the queue
    if (k % 5 === 0) cache.reserve(k, 1, 8); // re-reserve: the old slot of k is stale too
  }
  for (let k = 0; k < 3000; k++) {
    const off = cache.lookup(k, 1);
    if (k % 5 === 0) continue; // re-reserved without being filled again: contents unspecified
    if (k % 3 === 0) assert.equal(off, -1, `forgotten key ${k} stays forgotten`);
    else if (off >= 0) assert.ok(matches(cache.ring, off, 8, k, 1), `key ${k} has its bytes`);
  }
});
