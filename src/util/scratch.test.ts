import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import {
  giveScratch,
  growScratch,
  MAX_SCRATCH_BYTES,
  MIN_SCRATCH,
  scratchBytes,
  scratchCapacity,
  scratchLender,
  scratchLentBytes,
  takeScratch,
} from './scratch.js';
import type { Lender } from './buffer-pool.js';

test('capacities are powers of two from MIN_SCRATCH up, at or above the request', () => {
  assert.equal(scratchCapacity(1), MIN_SCRATCH);
  assert.equal(scratchCapacity(MIN_SCRATCH), MIN_SCRATCH);
  assert.equal(scratchCapacity(MIN_SCRATCH + 1), 2 * MIN_SCRATCH);
  assert.equal(takeScratch(300_000).byteLength, 512 * 1024);
});

test('a buffer given back is the next one taken of its capacity, and is handed to one borrower at a time', () => {
  const a = takeScratch(100_000);
  giveScratch(a);
  const b = takeScratch(70_000); // same capacity class (128 KiB)
  assert.equal(b, a);
  const c = takeScratch(70_000);
  assert.notEqual(c, a, 'a buffer on loan is not handed out again');
  giveScratch(b);
  giveScratch(c);
});

test('buffers take() did not make, and transferred ones, are not pooled', () => {
  const before = scratchBytes();
  giveScratch(new ArrayBuffer(MIN_SCRATCH));
  giveScratch(Buffer.allocUnsafeSlow(MIN_SCRATCH).buffer);
  giveScratch(new SharedArrayBuffer(MIN_SCRATCH));
  assert.equal(scratchBytes(), before);
  const t = takeScratch(MIN_SCRATCH * 4);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(t, [t]); // detaches t
  port1.close();
  port2.close();
  giveScratch(t);
  assert.equal(scratchBytes(), before);
});

test('a buffer given back twice is a bug and throws', () => {
  const a = takeScratch(MIN_SCRATCH * 8);
  giveScratch(a);
  assert.throws(() => giveScratch(a), /given back twice/);
  assert.equal(takeScratch(MIN_SCRATCH * 8), a);
});

test('a thread keeps at most MAX_SCRATCH_BYTES', () => {
  const taken = Array.from({ length: 8 }, () => takeScratch(MAX_SCRATCH_BYTES / 4));
  for (const b of taken) giveScratch(b);
  assert.ok(scratchBytes() <= MAX_SCRATCH_BYTES, `${scratchBytes()} bytes kept`);
  assert.ok(scratchBytes() >= MAX_SCRATCH_BYTES / 2);
  // Empty the pool again for the other tests of this file's process.
  for (let i = 0; i < 8; i++) takeScratch(MAX_SCRATCH_BYTES / 4);
});

test('growScratch keeps the used bytes of a view and gives the outgrown buffer back', () => {
  const old = takeScratch(MIN_SCRATCH);
  const view = new Uint8Array(old, 16, 100);
  view.set(Array.from({ length: 100 }, (_, i) => i));
  const grown = growScratch(view, 40, 3 * MIN_SCRATCH);
  assert.equal(grown.byteLength, 4 * MIN_SCRATCH);
  assert.deepEqual([...new Uint8Array(grown, 0, 40)], [...view.subarray(0, 40)]);
  assert.equal(takeScratch(MIN_SCRATCH), old, 'the outgrown buffer went back to the pool');
});

test('idle buffers are lent to a borrower until the next take, which gets them all back first', () => {
  const held: ArrayBufferLike[] = [];
  const borrower = {
    returnAll(lender: Lender): void {
      for (const ab of held.splice(0)) lender.giveBack(ab);
    },
  };
  const a = takeScratch(3 * MIN_SCRATCH); // 256 KiB
  const b = takeScratch(5 * MIN_SCRATCH); // 512 KiB
  giveScratch(a);
  giveScratch(b);
  const idle = scratchBytes();
  assert.ok(idle >= 768 * 1024);
  const takes = scratchLender.takes;
  const lent = scratchLender.lend(borrower, MIN_SCRATCH);
  held.push(...lent);
  assert.ok(lent.includes(a) && lent.includes(b));
  assert.equal(scratchBytes(), 0, 'everything idle is lent');
  assert.equal(scratchLentBytes(), idle);
  assert.equal(scratchLender.takes, takes, 'lending is not a take');

  const again = takeScratch(3 * MIN_SCRATCH);
  assert.equal(scratchLender.takes, takes + 1);
  assert.equal(held.length, 0, 'the borrower gave everything back');
  assert.equal(scratchLentBytes(), 0);
  assert.ok(again === a || again === b || again.byteLength === 256 * 1024);
  assert.equal(scratchBytes(), idle - again.byteLength, 'the rest is held again');
  giveScratch(again);
  scratchLender.forget(borrower);
});
