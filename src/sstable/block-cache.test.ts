import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockCache } from './block-cache.js';
import { BufferPool } from '../util/buffer-pool.js';
import { IdleWorkerMemory } from '../util/idle-worker-memory.js';

/** Fills `len` bytes at ring[off] with a pattern derived from (key, tag). */
function fill(ring: Buffer, off: number, len: number, key: number, tag: number): void {
  for (let i = 0; i < len; i++) ring[off + i] = (key * 31 + tag * 7 + i) & 0xff;
}
/** Reserves and fills a block; returns its offset. */
function insert(cache: BlockCache, key: number, tag: number, len: number): number {
  const off = cache.reserve(key, tag, len);
  if (off >= 0) fill(cache.lastBuffer, off, len, key, tag);
  return off;
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
        { maxLength: 400, size: 'max' },
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
              continue; // a block already cached under the key stays
            }
            assert.ok(off >= 0 && off + o.len <= capacity);
            fill(cache.lastBuffer, off, o.len, o.key, o.tag);
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
              matches(cache.lastBuffer, off, cache.lastLength, o.key, o.tag),
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
  for (let k = 0; k < 20; k++) insert(cache, k, 1, 100);
  for (let k = 12; k < 20; k++) assert.ok(cache.lookup(k, 1) >= 0, `newest block ${k} is cached`);
  assert.equal(cache.lookup(0, 1), -1, 'the oldest block was evicted');
  assert.equal(cache.lookup(19, 2), -1, 'another tag is a miss');
});

test('BlockCache: a hit in the oldest quarter moves the block to the head (second chance)', () => {
  const cache = new BlockCache(1000);
  for (let k = 0; k < 9; k++) insert(cache, k, 1, 100);
  const moved = cache.lookup(0, 1); // block 0 is the oldest
  assert.ok(moved >= 0 && matches(cache.lastBuffer, moved, 100, 0, 1));
  for (let k = 9; k < 12; k++) insert(cache, k, 1, 100);
  const again = cache.lookup(0, 1);
  assert.ok(
    again >= 0 && matches(cache.lastBuffer, again, 100, 0, 1),
    'the moved block survived later inserts',
  );
});

test('BlockCache: the slot queue grows past its initial size without reviving forgotten or moved keys', () => {
  const cache = new BlockCache(1 << 16);
  for (let k = 0; k < 3000; k++) {
    insert(cache, k, 1, 8);
    if (k % 3 === 0) cache.forget(k); // leaves a stale slot behind in the queue
    if (k % 5 === 0) cache.reserve(k, 1, 8); // re-reserve: the old slot of k is stale too
  }
  for (let k = 0; k < 3000; k++) {
    const off = cache.lookup(k, 1);
    if (k % 5 === 0) continue; // re-reserved without being filled again: contents unspecified
    if (k % 3 === 0) assert.equal(off, -1, `forgotten key ${k} stays forgotten`);
    else if (off >= 0) assert.ok(matches(cache.lastBuffer, off, 8, k, 1), `key ${k} has its bytes`);
  }
});

/** After borrowed memory went back: of blocks 0..k-1 (4 KiB, tag 1), only the 64 KiB own arena's are found,
 *  each with its bytes. */
function assertOnlyOwnArenaLeft(cache: BlockCache, k: number): void {
  let hits = 0;
  for (let i = 0; i < k; i++) {
    const off = cache.lookup(i, 1);
    if (off < 0) continue;
    hits++;
    assert.ok(matches(cache.lastBuffer, off, 4096, i, 1), `block ${i} intact`);
  }
  assert.ok(hits > 0 && hits <= 16, `only blocks of the own arena remain: ${hits}`);
}

/** A pool holding `n` idle buffers of `size` bytes (as memtable memory after a flush). */
function idlePool(n: number, size: number): BufferPool {
  const pool = new BufferPool(n * size, 0);
  for (let i = 0; i < n; i++) pool.give(Buffer.allocUnsafe(size));
  return pool;
}

test('BlockCache: borrows from a pool not taken from for a whole turn of the ring, and gives it all back at its next take', () => {
  const pool = idlePool(4, 64 * 1024);
  const cache = new BlockCache(64 * 1024, [pool]);
  let k = 0;
  // Turn 1 records the pool's take count, turn 2 finds it unchanged and borrows at its end. Memory given back
  // meanwhile (a memtable retiring) does not count as use.
  while (cache.borrowedBytes === 0 && k < 100) {
    insert(cache, k++, 1, 4096);
    if (k === 20) pool.give(Buffer.allocUnsafe(10));
  }
  assert.equal(k, 2 * 16 + 1, 'borrowed when the head wrapped a second time');
  assert.equal(cache.borrowedBytes, 4 * 64 * 1024);
  assert.equal(pool.bytes, 0);
  assert.equal(pool.lentBytes, 4 * 64 * 1024);
  for (let i = 0; i < 64; i++) insert(cache, k++, 1, 4096);
  assert.ok(cache.usedBytes > 64 * 1024, 'blocks now live in the borrowed memory');
  for (let i = k - 64; i < k; i++) assert.ok(cache.lookup(i, 1) >= 0, `block ${i} of the last 80 is cached`);
  // The owner needs memory again: everything lent comes back, and the blocks in it are gone.
  const taken = pool.take(64 * 1024)!;
  assert.ok(taken !== undefined);
  taken.fill(0xee); // the owner writes into it at once
  assert.equal(cache.borrowedBytes, 0);
  assert.equal(pool.lentBytes, 0);
  assert.equal(pool.bytes, 3 * 64 * 1024);
  assert.ok(cache.usedBytes <= 64 * 1024);
  assertOnlyOwnArenaLeft(cache, k);
});

test('BlockCache: a pool taken from during every turn is not borrowed from; close gives borrowed memory back', () => {
  const pool = idlePool(2, 64 * 1024);
  const cache = new BlockCache(64 * 1024, [pool]);
  for (let k = 0; k < 200; k++) {
    insert(cache, k, 1, 4096);
    if (k % 10 === 0) pool.take(1 << 30); // the owner asks for memory (nothing that large is held)
  }
  assert.equal(cache.borrowedBytes, 0, 'the pool was taken from during every turn');
  for (let k = 200; k < 240; k++) insert(cache, k, 1, 4096);
  assert.equal(cache.borrowedBytes, 2 * 64 * 1024);
  cache.close();
  assert.equal(cache.borrowedBytes, 0);
  assert.equal(pool.lentBytes, 0);
  assert.equal(pool.bytes, 2 * 64 * 1024, 'held by the pool again');
});

test('BlockCache with lenders: a hit always returns the inserted bytes, and memory given back is never written', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          // Pool operations are rare, so that many turns of the ring pass without one and memory is borrowed.
          op: fc.oneof(
            { arbitrary: fc.constant('insert'), weight: 30 },
            { arbitrary: fc.constant('lookup'), weight: 30 },
            { arbitrary: fc.constant('forget'), weight: 2 },
            { arbitrary: fc.constantFrom('take', 'give', 'shrink'), weight: 1 },
          ),
          key: fc.integer({ min: 0, max: 60 }),
          tag: fc.integer({ min: 1, max: 2 }),
          len: fc.integer({ min: 1, max: 1100 }),
          pool: fc.integer({ min: 0, max: 1 }),
        }),
        { minLength: 100, maxLength: 1500, size: 'max' },
      ),
      (ops) => {
        // Segments of 2 and 4 KiB: a few inserts fill one, so the head is often in a borrowed segment.
        const segment = 2048;
        const pools = [idlePool(3, segment), idlePool(2, 2 * segment)];
        const cache = new BlockCache(8192, pools, 1024);
        const lengths = new Map<number, number>();
        const tags = new Map<number, number>();
        const owned: Buffer[] = []; // memory the pools' owners took back: filled with 0xee, checked later
        for (const o of ops) {
          const pool = pools[o.pool]!;
          if (o.op === 'insert') {
            const off = insert(cache, o.key, o.tag, o.len);
            if (off < 0) continue;
            assert.ok(off + o.len <= cache.lastBuffer.length);
            lengths.set(o.key, o.len);
            tags.set(o.key, o.tag);
          } else if (o.op === 'forget') {
            cache.forget(o.key);
            lengths.delete(o.key);
          } else if (o.op === 'take') {
            const b = pool.take(o.pool === 0 ? segment : 2 * segment);
            if (b !== undefined) owned.push(b.fill(0xee));
          } else if (o.op === 'give') {
            const b = owned.pop();
            if (b !== undefined) pool.give(b);
          } else if (o.op === 'shrink') {
            pool.shrink(segment);
          } else {
            const off = cache.lookup(o.key, o.tag);
            if (off < 0) continue;
            assert.equal(tags.get(o.key), o.tag);
            assert.equal(cache.lastLength, lengths.get(o.key));
            assert.ok(matches(cache.lastBuffer, off, cache.lastLength, o.key, o.tag), 'bytes of a hit');
          }
          for (const b of owned)
            assert.ok(
              b.every((x) => x === 0xee),
              'memory taken back is not written',
            );
          for (const p of pools) assert.ok(p.bytes + p.lentBytes <= p.maxBytes);
          assert.ok(cache.usedBytes <= 8192 + cache.borrowedBytes);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('BlockCache with the workers\u2019 memory: borrowed while no worker is alive, dropped before one starts', () => {
  const memory = new IdleWorkerMemory(256 * 1024);
  const cache = new BlockCache(64 * 1024, [memory]);
  let k = 0;
  while (cache.borrowedBytes === 0 && k < 100) insert(cache, k++, 1, 4096);
  assert.equal(k, 2 * 16 + 1, 'borrowed when the head wrapped a second time');
  assert.equal(cache.borrowedBytes, 256 * 1024);
  for (let i = 0; i < 40; i++) insert(cache, k++, 1, 4096);
  assert.ok(cache.usedBytes > 64 * 1024, 'blocks now live in the borrowed memory');
  const borrowed = cache.lastBuffer.buffer;
  assert.equal(borrowed.byteLength, 256 * 1024);

  memory.workerStarting();
  assert.equal(cache.borrowedBytes, 0);
  assert.equal(borrowed.byteLength, 0, 'the memory was freed');
  assertOnlyOwnArenaLeft(cache, k);
  for (let i = 0; i < 100; i++) insert(cache, k++, 1, 4096);
  assert.equal(cache.borrowedBytes, 0, 'nothing borrowed while the worker is alive');
  memory.workerExited();
  for (let i = 0; i < 100 && cache.borrowedBytes === 0; i++) insert(cache, k++, 1, 4096);
  assert.equal(cache.borrowedBytes, 256 * 1024, 'borrowed again after the worker exited');
  cache.close();
  assert.equal(memory.lentBytes, 0);
});
