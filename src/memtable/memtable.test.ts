import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Memtable } from './memtable.js';
import { WriteBatch } from '../batch/write-batch.js';
import { bloomHash } from '../util/bloom.js';

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

test('Memtable: lookups, snapshots of the order and the switch out of append-only mode agree', () => {
  const mem = new Memtable(1);
  const out: { value: Buffer | undefined } = { value: undefined };
  apply(mem, 1, [
    ['k1', 'a'],
    ['k3', 'b'],
  ]);
  const early = mem.sortedKeys();
  apply(mem, 3, [['k5', 'c']]);
  assert.equal(mem.isAppendOnly, true);
  assert.equal(mem.keyCount, 3);
  assert.equal(mem.find('k3', 2), 1);
  assert.equal(mem.find('k3', 1), -1, 'a version above the read sequence is invisible');
  assert.equal(mem.find('k2', 10), -1);
  assert.equal(mem.find('k9', 10), -1);
  const mid = mem.sortedKeys();
  // k2 breaks the order, k3 gains a second version: the Map is built from the ordered keys.
  apply(mem, 4, [
    ['k2', 'd'],
    ['k3', 'e'],
  ]);
  assert.equal(mem.isAppendOnly, false);
  assert.equal(mem.keyCount, 4);
  assert.deepEqual(early, ['k1', 'k3'], 'an array handed out earlier never changes');
  assert.deepEqual(mid, ['k1', 'k3', 'k5']);
  assert.deepEqual(mem.sortedKeys(), ['k1', 'k2', 'k3', 'k5']);
  for (const [key, seq, want] of [
    ['k1', 9, 'a'],
    ['k2', 9, 'd'],
    ['k3', 9, 'e'],
    ['k3', 4, 'b'],
    ['k5', 9, 'c'],
  ] as const) {
    out.value = undefined;
    mem.get(key, seq, out);
    assert.equal((out.value as Buffer | undefined)?.toString(), want, `${key}@${seq}`);
  }
  assert.equal(mem.older(mem.newest('k3')), 1);
});

test('Memtable: small batches after an adopted large batch keep their own values (regression: wrong slab)', () => {
  // A batch of >= 64 KiB is adopted as a slab of its own, pushed after the current 1 MiB slab; small batches
  // that still fit the current slab must record that slab, not the adopted one.
  const mem = new Memtable(1);
  const value = (j: number): Buffer => Buffer.alloc(j % 100 === 0 ? 70_000 : 100, j);
  let seq = 1;
  for (let i = 0; i < 400; i += 50) {
    const b = new WriteBatch();
    for (let j = i; j < i + 50; j++) b.put(`k${j}`, value(j));
    const rep = b.encodeCopy();
    mem.addBatch(rep, rep.length, seq);
    seq += 50;
  }
  const out: { value: Buffer | undefined } = { value: undefined };
  for (let j = 0; j < 400; j++) {
    out.value = undefined;
    mem.get(`k${j}`, seq, out);
    assert.ok((out.value as Buffer | undefined)?.equals(value(j)), `value of k${j}`);
  }
  let n = 0;
  mem.forEachBatch(0, mem.batchCount, (buf, off, len) => {
    assert.equal(buf[off + 12], 1, 'each recorded batch starts with its first record (a put)');
    assert.ok(len > 12);
    n++;
  });
  assert.equal(n, 8);
});

test('Memtable filter: no key of a frozen memtable is ever filtered out; absent keys mostly are', () => {
  for (const ordered of [true, false]) {
    const mem = new Memtable(1);
    const keys: string[] = [];
    for (let i = 0; i < 5000; i++) keys.push(`k${String(ordered ? i : (i * 7919) % 5000).padStart(6, '0')}`);
    let seq = 1;
    for (let i = 0; i < keys.length; i += 100) {
      apply(
        mem,
        seq,
        keys.slice(i, i + 100).map((k, j) => [k, j % 10 === 0 ? undefined : `v${i + j}`]),
      );
      seq += 100;
    }
    if (!ordered) apply(mem, seq++, [[keys[0]!, 'again']]); // a second version of a key
    assert.equal(mem.isAppendOnly, ordered);
    const absent = (i: number): number => bloomHash(`absent${i}`);
    // Before the filter is complete every key "may" be present.
    let steps = 0;
    while (!mem.buildFilterStep(10, 1000)) {
      steps++;
      for (let i = 0; i < 100; i++) assert.equal(mem.mayContain(absent(i)), true);
    }
    assert.equal(steps, 4, '5000 keys in steps of 1000');
    for (const k of keys) assert.equal(mem.mayContain(bloomHash(k)), true, k);
    let passed = 0;
    for (let i = 0; i < 10000; i++) if (mem.mayContain(absent(i))) passed++;
    assert.ok(passed < 300, `${passed} of 10000 absent keys passed the filter (about 1% expected)`);
  }
});

test('Memtable filter: bloomBitsPerKey 0 builds none', () => {
  const mem = new Memtable(1);
  apply(mem, 1, [['a', '1']]);
  assert.equal(mem.buildFilterStep(0, 10), true);
  assert.equal(mem.mayContain(bloomHash('zzz')), true);
});
