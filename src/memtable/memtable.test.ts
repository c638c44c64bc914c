import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Memtable } from './memtable.js';
import { WriteBatch } from '../batch/write-batch.js';

function apply(mem: Memtable, seq: number, ops: [string, string | undefined][]): void {
  const b = new WriteBatch();
  for (const [k, v] of ops) {
    if (v === undefined) b.delete(k);
    else b.put(k, v);
  }
  const rep = b.encodeCopy();
  mem.addBatch(rep, rep.length, seq);
}

test('Memtable: increasing new keys keep it append-only; entry i is the only version of the i-th key', () => {
  const mem = new Memtable(1);
  apply(mem, 1, [
    ['a', '1'],
    ['b', undefined],
    ['c', '3'],
  ]);
  apply(mem, 4, [['d', '4']]);
  assert.equal(mem.isAppendOnly, true);
  const keys = mem.sortedKeys();
  assert.deepEqual(keys, ['a', 'b', 'c', 'd']);
  keys.forEach((k, i) => {
    assert.equal(mem.newest(k), i);
    assert.equal(mem.older(i), -1);
  });
  assert.equal(mem.entryIsDeletion(1), true);
});

test('Memtable: a key out of order or a second version of a key ends append-only mode', () => {
  const outOfOrder = new Memtable(1);
  apply(outOfOrder, 1, [
    ['b', '1'],
    ['a', '2'],
  ]);
  assert.equal(outOfOrder.isAppendOnly, false);
  assert.deepEqual(outOfOrder.sortedKeys(), ['a', 'b']);

  const updated = new Memtable(1);
  apply(updated, 1, [
    ['a', '1'],
    ['b', '2'],
  ]);
  apply(updated, 3, [['b', '3']]);
  assert.equal(updated.isAppendOnly, false);
  assert.equal(updated.entrySeq(updated.newest('b')), 3);
  assert.equal(updated.entrySeq(updated.older(updated.newest('b'))), 2);
});

test('Memtable: reads at a sequence number see the newest version at or below it', () => {
  const mem = new Memtable(1);
  apply(mem, 1, [['k', 'v1']]);
  apply(mem, 2, [['k', undefined]]);
  apply(mem, 3, [['k', 'v3']]);
  const out = { value: undefined as Buffer | undefined };
  assert.equal(mem.get('k', 1, out), 1);
  assert.equal(out.value!.toString(), 'v1');
  assert.equal(mem.get('k', 2, out), 2);
  assert.equal(mem.get('k', 3, out), 1);
  assert.equal(out.value!.toString(), 'v3');
  assert.equal(mem.get('missing', 3, out), 0);
});
