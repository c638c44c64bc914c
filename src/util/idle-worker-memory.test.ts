import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleWorkerMemory } from './idle-worker-memory.js';
import { freeBeforeGc } from './free-before-gc.js';
import type { Borrower, Lender } from './buffer-pool.js';

/** A borrower that keeps what it is lent and hands it all back when asked. */
function holder(): Borrower & { held: ArrayBufferLike[] } {
  const b = {
    held: [] as ArrayBufferLike[],
    returnAll(lender: Lender): void {
      for (const ab of b.held.splice(0)) lender.giveBack(ab);
    },
  };
  return b;
}

test('freeBeforeGc detaches the buffer at once (its memory goes with the closed channel)', () => {
  const ab = Buffer.allocUnsafeSlow(1 << 20).buffer as ArrayBuffer;
  freeBeforeGc(ab);
  assert.equal(ab.byteLength, 0);
  freeBeforeGc(ab); // already detached: left alone, no throw
  const pooled = Buffer.from('x'); // a view into Node's shared pool, which Node does not let go
  freeBeforeGc(pooled.buffer as ArrayBuffer);
  assert.equal(pooled.toString(), 'x');
});

test('IdleWorkerMemory lends one buffer only while no worker is alive, and takes it back before one starts', () => {
  const memory = new IdleWorkerMemory(1 << 20);
  const b = holder();
  const first = memory.lend(b, 64 * 1024);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.byteLength, 1 << 20);
  b.held.push(...first);
  assert.equal(memory.lentBytes, 1 << 20);
  assert.deepEqual(memory.lend(b, 64 * 1024), [], 'one buffer at a time');

  const takes = memory.takes;
  memory.workerStarting();
  assert.equal(memory.takes, takes + 1, 'a start counts as a take');
  assert.equal(b.held.length, 0, 'the borrower gave it back');
  assert.equal(memory.lentBytes, 0);
  assert.equal(first[0]!.byteLength, 0, 'and it was freed, not kept');
  assert.equal(memory.aliveWorkers, 1);
  assert.deepEqual(memory.lend(b, 64 * 1024), [], 'nothing while a worker is alive');

  memory.workerStarting();
  memory.workerExited();
  assert.deepEqual(memory.lend(b, 64 * 1024), [], 'one of two workers still alive');
  memory.workerExited();
  assert.equal(memory.aliveWorkers, 0);
  const again = memory.lend(b, 64 * 1024);
  assert.equal(again.length, 1, 'lent again once every worker has exited');
  b.held.push(...again);
  assert.throws(() => memory.forget(b), /still lent/);
  b.returnAll(memory);
  memory.forget(b);
  assert.throws(() => memory.giveBack(again[0]!), /not lent here/);
});

test('IdleWorkerMemory of 0 bytes (no workers) or smaller than asked lends nothing', () => {
  const b = holder();
  assert.deepEqual(new IdleWorkerMemory(0).lend(b, 0), []);
  assert.deepEqual(new IdleWorkerMemory(32 * 1024).lend(b, 64 * 1024), []);
});
