import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Memtable, capacityFor, memtableHash, newTable, reserveWriteMemory } from './memtable.js';
import { LookupResult } from '../keys/lookup-result.js';
import { bloomHash } from '../util/bloom.js';
import { WriteBatch } from '../batch/write-batch.js';
import fc from 'fast-check';
import { sortKeyIds, type KeyTable } from './key-sort.js';
import { forEachSharedBatch } from './shared-batches.js';
import { entryArrays, sharedBuffer } from '../util/buffer-pool.js';

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
  const early = mem.sortedKeyIds();
  apply(mem, 3, [['k5', 'c']]);
  assert.equal(mem.isAppendOnly, true);
  assert.equal(mem.keyCount, 3);
  assert.equal(mem.find('k3', 2), 1);
  assert.equal(mem.find('k3', 1), -1, 'a version above the read sequence is invisible');
  assert.equal(mem.find('k2', 10), -1);
  assert.equal(mem.find('k9', 10), -1);
  const mid = mem.sortedKeyIds();
  // k2 breaks the order, k3 gains a second version: every key enters the hash table.
  apply(mem, 4, [
    ['k2', 'd'],
    ['k3', 'e'],
  ]);
  assert.equal(mem.isAppendOnly, false);
  assert.equal(mem.keyCount, 4);
  const names = (ids: Int32Array): string[] => Array.from(ids, (id) => mem.keyString(id));
  assert.deepEqual(names(early), ['k1', 'k3'], 'an array handed out earlier never changes');
  assert.deepEqual(names(mid), ['k1', 'k3', 'k5']);
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

test('Memtable: small batches after a large batch keep their own values (regression: wrong slab)', () => {
  // A batch of >= 64 KiB is copied into a buffer of its own, pushed after the current 1 MiB slab; small
  // batches that still fit the current slab must record that slab, not the large batch's.
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
  forEachSharedBatch(mem.sharedBatches(), (rep) => {
    assert.equal(rep[12], 1, 'each recorded batch starts with its first record (a put)');
    assert.ok(rep.length > 12);
    n++;
  });
  assert.equal(n, 8);
});

test('Memtable: lookups agree in append-only and indexed mode, with and without a size hint', () => {
  for (const ordered of [true, false])
    for (const hint of [0, 3000, 5000, 70_000]) {
      const mem = new Memtable(1, hint);
      const keys: string[] = [];
      for (let i = 0; i < 5000; i++)
        keys.push(`k${String(ordered ? i : (i * 7919) % 5000).padStart(6, '0')}`);
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
      for (let i = 0; i < keys.length; i += 37) {
        const want = i === 0 && !ordered ? 'again' : (i % 100) % 10 === 0 ? undefined : `v${i}`;
        const out = { value: undefined as Buffer | undefined };
        const r = mem.get(keys[i]!, seq, out);
        assert.equal(r, want === undefined ? 2 : 1, keys[i]);
        assert.equal(out.value?.toString(), want, keys[i]);
      }
      // Below, above and inside the key range.
      for (const k of ['', 'j', 'k', 'k0000005', 'k0000495', 'k00499', 'k004999\u0000', 'k005000', 'l'])
        assert.equal(mem.find(k, seq), -1, k);
      assert.deepEqual(mem.sortedKeys(), [...keys].sort());
    }
});

/** A key generator that makes long shared prefixes, 0x00 and 0xff bytes, prefixes of other keys, and ties. */
const keyArb = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  fc
    .tuple(
      fc.constantFrom('', 'user:000000000000:', 'a\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000'),
      fc.uint8Array({ maxLength: 4 }),
    )
    .map(([p, b]) => Buffer.concat([Buffer.from(p, 'latin1'), Buffer.from(b)])),
  fc.nat(3000).map((n) => Buffer.from(`key${String(n).padStart(13, '0')}`)),
  fc.array(fc.constantFrom(0, 1, 0xff), { maxLength: 20 }).map((a) => Buffer.from(a)),
);

test('sortKeyIds: orders any set of distinct keys bytewise (model: Buffer.compare)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(keyArb, { maxLength: 600, size: 'large', selector: (b) => b.toString('latin1') }),
      (keys) => {
        // The keys sit in two slabs at shifted offsets, as in a memtable.
        const slabs = [Buffer.alloc(1 << 16), Buffer.alloc(1 << 16)];
        const n = keys.length;
        const t: KeyTable = {
          slabs,
          slab: new Int32Array(n),
          off: new Int32Array(n),
          len: new Int32Array(n),
        };
        const pos = [3, 7];
        keys.forEach((k, id) => {
          const s = id % 2;
          k.copy(slabs[s]!, pos[s]!);
          t.slab[id] = s;
          t.off[id] = pos[s]!;
          t.len[id] = k.length;
          pos[s]! += k.length + 1;
        });
        const ids = Int32Array.from(keys.keys()).reverse();
        sortKeyIds(t, ids);
        const got = Array.from(ids, (id) => keys[id]!.toString('hex'));
        const want = [...keys].sort(Buffer.compare).map((k) => k.toString('hex'));
        assert.deepEqual(got, want);
      },
    ),
    { numRuns: 300 },
  );
});

test('Memtable: random batches agree with a model at every sequence; handed-out orders never change', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.array(
          fc.tuple(
            keyArb.filter((k) => k.length > 0),
            fc.option(fc.uint8Array({ maxLength: 8 })),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        {
          maxLength: 30,
        },
      ),
      (batches) => {
        const mem = new Memtable(1);
        const history: { seq: number; key: string; value: string | null }[] = [];
        const views: { ids: Int32Array; snapshot: Int32Array }[] = [];
        let seq = 1;
        for (const ops of batches) {
          const b = new WriteBatch();
          for (const [k, v] of ops) {
            if (v === null) b.delete(k);
            else b.put(k, Buffer.from(v));
            history.push({
              seq: seq++,
              key: k.toString('latin1'),
              value: v === null ? null : Buffer.from(v).toString('latin1'),
            });
          }
          const rep = b.encodeCopy();
          mem.addBatch(rep, rep.length, seq - ops.length);
          const sorted = mem.sortedKeyIds();
          views.push({ ids: sorted, snapshot: sorted.slice() });
        }
        const keys = [...new Set(history.map((h) => h.key))];
        assert.deepEqual(
          mem.sortedKeys(),
          keys
            .map((k) => Buffer.from(k, 'latin1'))
            .sort(Buffer.compare)
            .map((b) => b.toString('latin1')),
        );
        for (const v of views) assert.deepEqual(v.ids, v.snapshot);
        for (let at = 0; at < seq; at += 1 + (seq >> 4)) {
          for (const k of keys) {
            let want: string | null | undefined;
            for (const h of history) if (h.key === k && h.seq <= at) want = h.value;
            const out = { value: undefined as Buffer | undefined };
            const r = mem.get(k, at, out);
            if (want === undefined) assert.equal(r, 0);
            else if (want === null) assert.equal(r, 2);
            else assert.equal(out.value?.toString('latin1'), want);
          }
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('sortKeyIds: keys that differ only in trailing 0x00 bytes (every window ties) still sort', () => {
  const keys = Array.from({ length: 41 }, (_, i) => Buffer.concat([Buffer.from('x'), Buffer.alloc(i)]));
  const slab = Buffer.concat(keys);
  const n = keys.length;
  const t: KeyTable = {
    slabs: [slab],
    slab: new Int32Array(n),
    off: new Int32Array(n),
    len: new Int32Array(n),
  };
  let p = 0;
  keys.forEach((k, id) => {
    t.off[id] = p;
    t.len[id] = k.length;
    p += k.length;
  });
  const ids = Int32Array.from({ length: n }, (_, i) => (i * 17) % n);
  sortKeyIds(t, ids);
  assert.deepEqual(
    Array.from(ids),
    Array.from({ length: n }, (_, i) => i),
  );
});

test('Memtable: keys crafted to share one bloom hash do not share a memtable hash (no hash flooding)', () => {
  // LevelDB's Hash with the bloom filter's public seed, over two 4-byte words: for any first word, solve for the
  // second word that lands every key on the same final hash.
  const M = 0xc6a4a793;
  const step = (h: number, w: number): number => {
    const x = Math.imul((h + w) >>> 0, M) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  };
  let mInv = M;
  for (let i = 0; i < 5; i++) mInv = Math.imul(mInv, (2 - Math.imul(M, mInv)) >>> 0) >>> 0;
  const h0 = (0xbc9f1d34 ^ Math.imul(8, M)) >>> 0;
  const target = 0x12345678;
  const beforeLast = Math.imul((target ^ (target >>> 16)) >>> 0, mInv) >>> 0;
  const keys: Buffer[] = [];
  for (let w1 = 0; w1 < 2000; w1++) {
    const key = Buffer.alloc(8);
    key.writeUInt32LE(w1, 0);
    key.writeUInt32LE((beforeLast - step(h0, w1)) >>> 0, 4);
    keys.push(key);
  }
  const bin = keys.map((k) => k.toString('latin1'));
  assert.deepEqual(new Set(bin.map((k) => bloomHash(k))), new Set([target]), 'the crafted keys collide');
  assert.ok(new Set(bin.map((k) => memtableHash(k))).size > 1990, 'memtable hashes are spread');
  const mem = new Memtable(1);
  const b = new WriteBatch();
  keys.forEach((k, i) => b.put(k, `v${i}`));
  const rep = b.encodeCopy();
  mem.addBatch(rep, rep.length, 1);
  const out = { value: undefined as Buffer | undefined };
  bin.forEach((k, i) => {
    assert.equal(mem.get(k, 1e9, out), 1);
    assert.equal(out.value?.toString(), `v${i}`);
  });
});

test('Memtable: a retired memtable gives its buffers to the write-buffer pool only after its last cursor closes', async () => {
  const { writeBuffers } = await import('../util/buffer-pool.js');
  const { MemtableCursor } = await import('./memtable-cursor.js');
  const release = reserveWriteMemory(4 * 1024 * 1024); // as an open database does
  // No other test in this file retires a memtable, so the pool starts empty, far below its cap.
  assert.equal(writeBuffers.bytes, 0);
  const mem = new Memtable(1);
  const big = new WriteBatch();
  for (let i = 0; i < 800; i++) big.put(`k${String(i).padStart(4, '0')}`, Buffer.alloc(100, i % 256)); // a buffer of its own
  const rep = big.encodeCopy();
  mem.addBatch(rep, rep.length, 1);
  apply(mem, 801, [['small', 'copied into a 1 MiB slab']]);
  const c1 = new MemtableCursor(mem, 1000);
  const c2 = new MemtableCursor(mem, 1000);
  const before = writeBuffers.bytes;
  mem.retire();
  c1.seekToFirst();
  c1.close();
  c1.close(); // idempotent: one release per cursor
  assert.equal(writeBuffers.bytes, before, 'a cursor still reads it');
  c2.seek('k0500');
  assert.deepEqual(c2.value(), Buffer.alloc(100, 500 % 256));
  c2.close();
  assert.ok(writeBuffers.bytes >= before + rep.buffer.byteLength + 1024 * 1024, 'both buffers pooled');
  assert.throws(() => new MemtableCursor(mem, 1000), /recycled/);
  release();
  assert.equal(writeBuffers.bytes, 0, 'released: nothing kept beyond the cap');
});

test('reserveWriteMemory: the write-buffer pool keeps one memtable of buffers per reservation, and nothing without one', async () => {
  const { writeBuffers } = await import('../util/buffer-pool.js');
  /** Retires `n` memtables of one 1 MiB slab each, all made before the first retires (a new memtable would
   *  otherwise take the slab the last one gave back). */
  const retireMemtables = (n: number): void => {
    const mems = Array.from({ length: n }, () => new Memtable(1));
    for (const mem of mems) apply(mem, 1, [['k', 'v']]);
    for (const mem of mems) mem.retire();
  };
  assert.equal(writeBuffers.maxBytes, 0);
  retireMemtables(1);
  assert.equal(writeBuffers.bytes, 0, 'no open database: nothing pooled');
  assert.equal(entryArrays.bytes, 0);
  const a = reserveWriteMemory(1024 * 1024);
  const b = reserveWriteMemory(2 * 1024 * 1024);
  assert.equal(writeBuffers.maxBytes, 3 * 1024 * 1024);
  retireMemtables(4);
  assert.equal(writeBuffers.bytes, 3 * 1024 * 1024, 'three slabs fit under the cap, the fourth is dropped');
  const arrays = entryArrays.bytes;
  assert.ok(
    arrays > 0 && arrays <= (3 * 3 * 1024 * 1024) / 4,
    `per-entry arrays pooled under 3/4 of the reservations: ${arrays}`,
  );
  b();
  b(); // a second call lowers nothing more
  assert.equal(writeBuffers.maxBytes, 1024 * 1024);
  assert.equal(writeBuffers.bytes, 1024 * 1024, 'what no longer fits is dropped');
  a();
  assert.equal(writeBuffers.maxBytes, 0);
  assert.equal(writeBuffers.bytes, 0);
  assert.equal(entryArrays.bytes, 0, 'per-entry arrays dropped with the last reservation');
});

test('Memtable: addBatch copies every batch into its own shared memory; sharedBatches lists them in order', () => {
  const mem = new Memtable(1);
  const big = (fill: number): Buffer => Buffer.alloc(80 * 1024, fill); // over OWN_BUFFER_SIZE: a buffer of its own
  const encoded = new WriteBatch().put('b', big(2)).encodeCopy();
  const shared = sharedBuffer(encoded.length); // a batch the caller encoded in shared memory
  shared.set(encoded);
  const plain = new WriteBatch().put('c', big(3)).encodeCopy();
  const small = new WriteBatch().put('a', 'x').encodeCopy();
  mem.addBatch(small, small.length, 1); // copied into a slab
  mem.addBatch(shared, shared.length, 2); // copied into a buffer of its own
  mem.addBatch(plain, plain.length, 3); // likewise
  const expected = [small, shared, plain].map((b) => Buffer.from(b).toString('latin1'));
  for (const b of [small, shared, plain]) b.fill(0xee); // the caller's buffers are its own again
  const s = mem.sharedBatches();
  assert.deepEqual([...s.batchSeq], [1, 2, 3]);
  for (let i = 0; i < 3; i++) {
    const region = s.buffers[s.batchRegion[i]!]!;
    assert.ok(region instanceof SharedArrayBuffer);
    assert.ok(region !== shared.buffer && region !== plain.buffer && region !== small.buffer);
  }
  const seen: [string, number][] = [];
  forEachSharedBatch(s, (rep, seq) => seen.push([rep.toString('latin1'), seq]));
  assert.deepEqual(seen, [
    [expected[0]!, 1],
    [expected[1]!, 2],
    [expected[2]!, 3],
  ]);
  const out = { value: undefined as Buffer | undefined };
  assert.equal(mem.get('c', 10, out), LookupResult.Found);
  assert.deepEqual(out.value, big(3)); // read from the memtable's copy, not the overwritten caller buffer
});

test('Memtable: an unordered memtable shares its key index; frozenOver reads it in place, in key order', () => {
  const mem = new Memtable(1);
  apply(mem, 1, [
    ['b', '1'],
    ['a', '2'],
  ]);
  apply(mem, 3, [
    ['b', undefined],
    ['c', '3'],
  ]);
  const s = mem.sharedBatches();
  assert.equal(s.inKeyOrder, false);
  for (const a of Object.values(s.index!))
    if (typeof a !== 'number') assert.ok(a.buffer instanceof SharedArrayBuffer);
  const view = Memtable.frozenOver(s);
  assert.deepEqual(view.sortedKeys(), ['a', 'b', 'c']);
  const b = view.sortedKeyIds()[1]!;
  const newest = view.keyHead(b);
  assert.equal(view.entrySeq(newest), 3);
  assert.equal(view.entryIsDeletion(newest), true);
  assert.equal(view.entryValue(view.older(newest)).toString(), '1');
  assert.equal(mem.sharedBatches().index!.kHead.buffer, s.index!.kHead.buffer, 'the same memory, not a copy');
});

test('Memtable: a retired memtable lends its index arrays to the next one of its size and cannot be read after', () => {
  const release = reserveWriteMemory(1024 * 1024); // as an open database does: the pools hold nothing without it
  const unordered = (): Memtable => {
    const mem = new Memtable(1, 3000);
    for (let i = 0; i < 3000; i += 100)
      apply(
        mem,
        i + 1,
        Array.from(
          { length: 100 },
          (_, j) => [`k${(((i + j) * 7919) % 3000) + 10_000}`, 'v'] as [string, string],
        ),
      );
    return mem;
  };
  const a = unordered();
  const buffersOf = (m: Memtable): unknown[] =>
    Object.values(m.sharedBatches().index!).flatMap((v) => (typeof v === 'number' ? [] : [v.buffer]));
  const before = new Set(buffersOf(a));
  a.retire();
  assert.throws(() => a.get('k10000', 1e9, { value: undefined }), /read after its buffers were recycled/);
  const b = unordered();
  const after = buffersOf(b);
  assert.equal(after.length, 9);
  for (const buf of after) assert.ok(before.has(buf), 'reused, not allocated');
  const out: { value: Buffer | undefined } = { value: undefined };
  for (let k = 10_000; k < 13_000; k += 17) {
    assert.equal(b.get(`k${k}`, 1e9, out), LookupResult.Found);
  }
  assert.equal(b.sortedKeys().length, 3000);
  release();
});

test('sortKeyIds: ranges large enough to sort in scratch memory sort right, again when the scratch is reused', () => {
  // 20,000 keys: lanes of 160 KB, past MIN_SCRATCH, so the sort borrows and gives back util/scratch.ts memory.
  let x = 0x2545f491;
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  // 20-byte keys: two groups of 10,000 whose first 9 bytes tie within the group, so each group is sorted
  // again by a nested call while the outer call's lanes are still in use.
  for (const [keyLength, tiedBytes] of [
    [16, 3],
    [5, 3],
    [20, 9],
  ] as const) {
    const keys = new Map<string, Buffer>();
    while (keys.size < 20_000) {
      const k = Buffer.alloc(keyLength);
      const group = keys.size % 2 === 0 ? 0x11 : 0x22;
      for (let i = 0; i < keyLength; i++) k[i] = i === 0 ? 0x6b : i < tiedBytes ? group : rand() & 0xff;
      keys.set(k.toString('latin1'), k);
    }
    const list = [...keys.values()];
    const slab = Buffer.concat(list);
    const n = list.length;
    const t: KeyTable = {
      slabs: [slab],
      slab: new Int32Array(n),
      off: Int32Array.from(list.keys(), (i) => i * keyLength),
      len: new Int32Array(n).fill(keyLength),
    };
    const want = [...list].sort(Buffer.compare).map((k) => k.toString('hex'));
    for (let round = 0; round < 2; round++) {
      const ids = Int32Array.from(list.keys()).reverse();
      sortKeyIds(t, ids);
      assert.deepEqual(
        Array.from(ids, (id) => list[id]!.toString('hex')),
        want,
        `key length ${keyLength}, round ${round}`,
      );
    }
  }
});

test('Memtable: a frozen view sorts in scratch memory; after releaseFrozenView its order cannot be read', () => {
  const build = (offset: number): Memtable => {
    const mem = new Memtable(1);
    // 30,000 keys in a scrambled order: the view's key order (120 KB) is scratch memory.
    apply(
      mem,
      1,
      Array.from({ length: 30_000 }, (_, i) => [
        `k${String((i * 7919 + offset) % 30_000).padStart(6, '0')}`,
        `v${i}`,
      ]),
    );
    return mem;
  };
  for (const offset of [11, 5]) {
    const view = Memtable.frozenOver(build(offset).sharedBatches());
    const keys = view.sortedKeys();
    assert.equal(keys.length, 30_000);
    for (let i = 0; i < keys.length; i++) assert.equal(keys[i], `k${String(i).padStart(6, '0')}`);
    view.releaseFrozenView();
    assert.throws(() => view.sortedKeyIds(), /after releaseFrozenView/);
  }
  assert.throws(() => new Memtable(1).releaseFrozenView(), /not a frozen view/);
});

test('capacityFor: room for 1/8 more keys, at most 1/8 of a power of two beyond that, the same for nearby counts', () => {
  assert.equal(capacityFor(0), 1024);
  assert.equal(capacityFor(1024), 1024);
  fc.assert(
    fc.property(fc.integer({ min: 1025, max: 1 << 26 }), (keys) => {
      const want = keys + (keys >>> 3);
      const c = capacityFor(keys);
      assert.ok(c >= want, `${c} < ${want}`);
      assert.ok(c - want < 2 ** Math.floor(Math.log2(want)) / 8, `${c} wastes too much for ${keys}`);
    }),
  );
  assert.equal(capacityFor(144_600), capacityFor(144_700), 'memtables of about one size share pooled arrays');
});

// A table reused without zeroing sends lookups around stale slots, forever once none is empty: the timeout
// turns that into a failure.
test(
  'Memtable: a retired hash table goes back to the scratch buffers and the next memtable finds none of its keys',
  { timeout: 20_000 },
  async () => {
    const { scratchBytes } = await import('../util/scratch.js');
    const release = reserveWriteMemory(1024 * 1024); // so that slabs and entry arrays are reused as well
    const fill = (mem: Memtable, from: number, n: number): void => {
      for (let i = 0; i < n; i += 100) {
        const ops = Array.from({ length: Math.min(100, n - i) }, (_, j) => {
          const k = from + (((i + j) * 7919) % n);
          return [`key${k}`, `value${k}`] as [string, string];
        });
        apply(mem, i + 1, ops);
      }
    };
    const a = new Memtable(1);
    fill(a, 0, 20_000); // unordered: its table grows from 1024 slots to 64k, giving back each outgrown one
    const held = scratchBytes();
    a.retire();
    assert.ok(scratchBytes() >= held + 8 * 65536, 'the final 512 KiB table is held for reuse');
    const b = new Memtable(1);
    fill(b, 50_000, 300);
    const out: { value: Buffer | undefined } = { value: undefined };
    for (let k = 0; k < 20_000; k++)
      assert.equal(b.get(`key${k}`, 1e9, out), LookupResult.NotFound, `key${k}`);
    for (let k = 50_000; k < 50_300; k++) {
      assert.equal(b.get(`key${k}`, 1e9, out), LookupResult.Found);
      assert.equal(out.value!.toString(), `value${k}`);
    }
    b.retire();
    release();
  },
);

test('newTable: a hash table on reused scratch memory starts empty', async () => {
  const { giveScratch, takeScratch } = await import('../util/scratch.js');
  const dirty = takeScratch(8 * 4096);
  new Uint8Array(dirty).fill(0xff);
  giveScratch(dirty);
  const table = newTable(4096);
  assert.equal(table.buffer, dirty, 'the scratch buffer is reused');
  assert.equal(table.length, 2 * 4096);
  assert.ok(table.every((x) => x === 0));
});
