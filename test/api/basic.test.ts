// Behaviour of the public API (API.md "Semantics the tests rely on"): ordering, batches, getMany, iterator
// options, cursors, async iteration, stats. One small database per test, in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch, GraniteError, type Cursor } from '../../src/index.js';
import { makeTempDir, removeDir, tinyOptions } from '../../src/testing/index.js';

async function withDb(
  fn: (db: GraniteDB, dir: string) => Promise<void>,
  options = tinyOptions(),
): Promise<void> {
  const dir = makeTempDir('granite-basic-');
  const db = await GraniteDB.open(dir, options);
  try {
    await fn(db, dir);
  } finally {
    await db.close();
    removeDir(dir);
  }
}

const str = (b: Buffer | undefined): string | undefined => b?.toString('latin1');
function entries(it: Iterable<[Buffer | undefined, Buffer | undefined]>): [string?, string?][] {
  return [...it].map(([k, v]) => [str(k), str(v)]);
}
function keysOf(it: Iterable<[Buffer | undefined, Buffer | undefined]>): (string | undefined)[] {
  return [...it].map(([k]) => str(k));
}

test('put then get; later put overwrites; delete removes; get of a missing key is undefined', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    assert.equal(str(await db.get('a')), '1');
    await db.put('a', '2');
    assert.equal(str(await db.get('a')), '2');
    assert.equal(str(db.getSync('a')), '2');
    await db.delete('a');
    assert.equal(await db.get('a'), undefined);
    assert.equal(db.getSync('nope'), undefined);
    await db.delete('never-written');
    assert.equal(await db.get('never-written'), undefined);
  }));

test('string and Uint8Array keys name the same bytes; strings are UTF-8', () =>
  withDb(async (db) => {
    await db.put('é', 'x');
    assert.equal(str(await db.get(Buffer.from('é', 'utf8'))), 'x');
    await db.put(new Uint8Array([0x00, 0xff]), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await db.get(Buffer.from([0x00, 0xff])), Buffer.from([1, 2, 3]));
    const sub = new Uint8Array([9, 0x00, 0xff, 9]).subarray(1, 3);
    assert.deepEqual(await db.get(sub), Buffer.from([1, 2, 3]));
  }));

test('an empty value is a real value, distinct from a missing key', () =>
  withDb(async (db) => {
    await db.put('e', '');
    const v = await db.get('e');
    assert.ok(Buffer.isBuffer(v));
    assert.equal(v.length, 0);
    await db.flush();
    assert.equal((await db.get('e'))?.length, 0);
    assert.deepEqual(entries(db.iterator()), [['e', '']]);
  }));

test('writes are applied in call order, also when not awaited one by one', () =>
  withDb(async (db) => {
    const ps: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) ps.push(db.put('k', String(i)));
    ps.push(db.delete('k'));
    ps.push(db.put('k', 'last'));
    await Promise.all(ps);
    assert.equal(str(await db.get('k')), 'last');
  }));

test('in a batch a later operation on the same key wins', () =>
  withDb(async (db) => {
    await db.write(
      new WriteBatch().put('a', '1').put('a', '2').put('b', '1').delete('b').delete('c').put('c', '3'),
    );
    assert.deepEqual(await db.getMany(['a', 'b', 'c']).then((vs) => vs.map(str)), ['2', undefined, '3']);
    await db.flush();
    assert.deepEqual(await db.getMany(['a', 'b', 'c']).then((vs) => vs.map(str)), ['2', undefined, '3']);
  }));

test('an empty batch is a no-op: no sequence number, no change', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    const seq = db.stats().seq;
    await db.write(new WriteBatch());
    await db.write(new WriteBatch().put('x', 'y').clear());
    assert.equal(db.stats().seq, seq);
    assert.deepEqual(entries(db.iterator()), [['a', '1']]);
  }));

test('a batch may be written twice, and changing it afterwards does not change what was written', () =>
  withDb(async (db) => {
    const b = new WriteBatch().put('a', '1').put('b', '2');
    assert.equal(b.length, 2);
    await db.write(b);
    await db.delete('a');
    await db.write(b);
    assert.deepEqual(entries(db.iterator()), [
      ['a', '1'],
      ['b', '2'],
    ]);
    b.put('c', '3');
    assert.equal(await db.get('c'), undefined);
    await db.write(b);
    assert.equal(str(await db.get('c')), '3');
  }));

test('getMany returns values in argument order with undefined for missing keys, at one sequence', () =>
  withDb(async (db) => {
    await db.put('b', '2');
    await db.put('a', '1');
    await db.flush();
    await db.put('c', '3');
    const vs = await db.getMany(['c', 'missing', 'a', 'b', 'a']);
    assert.deepEqual(vs.map(str), ['3', undefined, '1', '2', '1']);
    assert.deepEqual(await db.getMany([]), []);
  }));

test('iteration is in bytewise key order across memtable and tables, forward and reverse', () =>
  withDb(async (db) => {
    const keys = [
      Buffer.from([0xff]),
      Buffer.from([0x00]),
      Buffer.from('a'),
      Buffer.from('a\x00'),
      Buffer.from('ab'),
    ];
    for (const [i, k] of keys.entries()) {
      await db.put(k, String(i));
      if (i % 2 === 0) await db.flush();
    }
    const sorted = [...keys].sort(Buffer.compare).map((k) => k.toString('latin1'));
    assert.deepEqual(keysOf(db.iterator()), sorted);
    assert.deepEqual(keysOf(db.iterator({ reverse: true })), [...sorted].reverse());
  }));

test('bounds gt/gte/lt/lte, limit, and limit 0 yields none', () =>
  withDb(async (db) => {
    for (const k of ['a', 'b', 'c', 'd', 'e']) await db.put(k, k);
    assert.deepEqual(keysOf(db.iterator({ gt: 'a', lt: 'e' })), ['b', 'c', 'd']);
    assert.deepEqual(keysOf(db.iterator({ gte: 'b', lte: 'd' })), ['b', 'c', 'd']);
    assert.deepEqual(keysOf(db.iterator({ gte: 'b', lte: 'd', reverse: true })), ['d', 'c', 'b']);
    assert.deepEqual(keysOf(db.iterator({ gt: 'bb', lt: 'dd', limit: 1 })), ['c']);
    assert.deepEqual(keysOf(db.iterator({ reverse: true, limit: 2 })), ['e', 'd']);
    assert.deepEqual(keysOf(db.iterator({ limit: 0 })), []);
    assert.deepEqual(keysOf(db.iterator({ gt: 'e' })), []);
    assert.deepEqual(keysOf(db.iterator({ gte: 'd', lte: 'b' })), []);
  }));

test('prefix intersects with the bounds', () =>
  withDb(async (db) => {
    for (const k of ['p', 'pa', 'pb', 'pc', 'q', 'o', 'p\xff', 'p\xff\xff'])
      await db.put(Buffer.from(k, 'latin1'), 'v');
    assert.deepEqual(keysOf(db.iterator({ prefix: 'p' })), ['p', 'pa', 'pb', 'pc', 'p\xff', 'p\xff\xff']);
    assert.deepEqual(keysOf(db.iterator({ prefix: 'p', gt: 'pa', lt: 'pc' })), ['pb']);
    assert.deepEqual(keysOf(db.iterator({ prefix: 'p', gte: 'a', lte: 'z' })), [
      'p',
      'pa',
      'pb',
      'pc',
      'p\xff',
      'p\xff\xff',
    ]);
    assert.deepEqual(keysOf(db.iterator({ prefix: Buffer.from([0x70, 0xff]) })), ['p\xff', 'p\xff\xff']);
    assert.deepEqual(keysOf(db.iterator({ prefix: 'p', gte: 'q' })), []);
    assert.deepEqual(keysOf(db.iterator({ prefix: 'p', reverse: true, limit: 2 })), ['p\xff\xff', 'p\xff']);
  }));

test('keys:false yields undefined keys; values:false yields undefined values', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    await db.put('b', '2');
    assert.deepEqual(
      [...db.iterator({ keys: false })],
      [
        [undefined, Buffer.from('1')],
        [undefined, Buffer.from('2')],
      ],
    );
    assert.deepEqual(
      [...db.iterator({ values: false })],
      [
        [Buffer.from('a'), undefined],
        [Buffer.from('b'), undefined],
      ],
    );
  }));

test('async iteration yields the same entries as sync iteration', () =>
  withDb(async (db) => {
    for (let i = 0; i < 200; i++) await db.put(`k${String(i).padStart(3, '0')}`, `v${i}`);
    const out: [string?, string?][] = [];
    for await (const [k, v] of db.iterator({ gte: 'k050', limit: 20 })) out.push([str(k), str(v)]);
    assert.deepEqual(out, entries(db.iterator({ gte: 'k050', limit: 20 })));
    assert.equal(out.length, 20);
  }));

test('breaking out of a for loop (sync and async) closes the iterator', () =>
  withDb(async (db) => {
    for (let i = 0; i < 10; i++) await db.put(`k${i}`, 'v');
    const it = db.iterator();
    for (const _ of it) break;
    assert.equal(db.stats().openCursors, 0);
    assert.deepEqual(it.next(), { done: true, value: undefined });
    const it2 = db.iterator();
    for await (const _ of it2) break;
    assert.equal(db.stats().openCursors, 0);
    const it3 = db.iterator();
    for (const _ of it3);
    assert.equal(db.stats().openCursors, 0);
    const it4 = db.iterator();
    it4.close();
    it4.close();
    assert.equal(db.stats().openCursors, 0);
  }));

test('iterator.seek repositions to the first entry >= target (<= when reverse)', () =>
  withDb(async (db) => {
    for (const k of ['a', 'c', 'e', 'g']) await db.put(k, k);
    const it = db.iterator();
    assert.equal(str(it.next().value?.[0]), 'a');
    it.seek('d');
    assert.equal(str(it.next().value?.[0]), 'e');
    assert.equal(str(it.next().value?.[0]), 'g');
    it.close();
    const r = db.iterator({ reverse: true });
    r.seek('d');
    assert.deepEqual(keysOf(r), ['c', 'a']);
  }));

function walk(c: Cursor, step: 'next' | 'prev'): string[] {
  const out: string[] = [];
  while (c.valid()) {
    out.push(c.key().toString('latin1'));
    c[step]();
  }
  return out;
}

test('a cursor is unpositioned until a seek; key()/value() then throw INVALID_ARGUMENT', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    const c = db.cursor();
    try {
      assert.equal(c.valid(), false);
      assert.throws(() => c.key(), { code: 'INVALID_ARGUMENT' });
      assert.throws(() => c.value(), { code: 'INVALID_ARGUMENT' });
      c.seekToFirst();
      assert.equal(c.valid(), true);
      assert.equal(c.key().toString(), 'a');
      assert.equal(c.value().toString(), '1');
      c.next();
      assert.equal(c.valid(), false);
      assert.throws(
        () => c.key(),
        (e: unknown) => e instanceof GraniteError && e.code === 'INVALID_ARGUMENT',
      );
    } finally {
      c.close();
    }
  }));

test('cursor seek lands on the first entry >= target inside the bounds; next/prev walk both ways', () =>
  withDb(async (db) => {
    for (const k of ['a', 'c', 'e', 'g', 'i']) await db.put(k, k.toUpperCase());
    await db.flush();
    await db.delete('e');
    const c = db.cursor({ gt: 'a', lte: 'g' });
    try {
      c.seek('d');
      assert.equal(c.key().toString(), 'g');
      c.seek('0');
      assert.equal(c.key().toString(), 'c');
      c.seek('h');
      assert.equal(c.valid(), false);
      c.seekToLast();
      assert.deepEqual(walk(c, 'prev'), ['g', 'c']);
      c.seekToFirst();
      assert.deepEqual(walk(c, 'next'), ['c', 'g']);
      c.seek('c');
      c.next();
      c.prev();
      assert.equal(c.key().toString(), 'c');
      assert.equal(c.value().toString(), 'C');
    } finally {
      c.close();
    }
  }));

test('a reverse cursor mirrors the order: seek lands on the last entry <= target, next goes down', () =>
  withDb(async (db) => {
    for (const k of ['a', 'c', 'e', 'g']) await db.put(k, k);
    const c = db.cursor({ reverse: true, lt: 'g' });
    try {
      c.seek('d');
      assert.equal(c.key().toString(), 'c');
      c.seek('z');
      assert.equal(c.key().toString(), 'e');
      c.seekToFirst();
      assert.deepEqual(walk(c, 'next'), ['e', 'c', 'a']);
      c.seekToLast();
      assert.equal(c.key().toString(), 'a');
      c.prev();
      assert.equal(c.key().toString(), 'c');
      c.seek('0');
      assert.equal(c.valid(), false);
    } finally {
      c.close();
    }
  }));

test('a cursor with a prefix stays inside it', () =>
  withDb(async (db) => {
    for (const k of ['a', 'ba', 'bb', 'c']) await db.put(k, k);
    const c = db.cursor({ prefix: 'b' });
    try {
      c.seek('a');
      assert.equal(c.key().toString(), 'ba');
      assert.deepEqual(walk(c, 'next'), ['ba', 'bb']);
      c.seek('bz');
      assert.equal(c.valid(), false);
    } finally {
      c.close();
    }
  }));

test('snapshots read the state at the time they were taken; release is idempotent', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    const s = db.snapshot();
    await db.put('a', '2');
    await db.put('b', '2');
    await db.flush();
    assert.equal(str(await db.get('a', { snapshot: s })), '1');
    assert.equal(str(db.getSync('b', { snapshot: s })), undefined);
    assert.deepEqual((await db.getMany(['a', 'b'], { snapshot: s })).map(str), ['1', undefined]);
    assert.deepEqual(entries(db.iterator({ snapshot: s })), [['a', '1']]);
    assert.equal(str(await db.get('a')), '2');
    assert.equal(db.stats().snapshots, 1);
    s.release();
    s.release();
    assert.equal(db.stats().snapshots, 0);
  }));

test('stats() is a JSON-able object with seq, memtableBytes, levels and counters', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    await db.flush();
    await db.put('b', '2');
    const s = db.stats();
    const defined = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
    assert.deepEqual(JSON.parse(JSON.stringify(s)), defined);
    assert.equal(s.seq, 2);
    assert.equal(typeof s.memtableBytes, 'number');
    assert.ok(s.memtableBytes > 0);
    assert.ok(Array.isArray(s.levels) && s.levels.length > 0);
    for (const [i, l] of s.levels.entries()) {
      assert.equal(l.level, i);
      assert.equal(typeof l.files, 'number');
      assert.equal(typeof l.bytes, 'number');
    }
    assert.equal(s.levels[0]!.files, 1);
    assert.ok(s.levels[0]!.bytes > 0);
    assert.equal(typeof s.counters, 'object');
    for (const v of Object.values(s.counters)) assert.equal(typeof v, 'number');
  }));

test('flush with an empty memtable resolves; data survives close and reopen', async () => {
  const dir = makeTempDir('granite-basic-');
  try {
    let db = await GraniteDB.open(dir, tinyOptions());
    await db.flush();
    for (let i = 0; i < 300; i++) await db.put(`k${i}`, `v${i}`.repeat(20));
    await db.close();
    db = await GraniteDB.open(dir, tinyOptions());
    assert.equal(str(await db.get('k123')), 'v123'.repeat(20));
    assert.equal([...db.iterator()].length, 300);
    await db.close();
    await GraniteDB.destroy(dir);
    db = await GraniteDB.open(dir, tinyOptions({ createIfMissing: true }));
    assert.deepEqual([...db.iterator()], []);
    await db.close();
  } finally {
    removeDir(dir);
  }
});
