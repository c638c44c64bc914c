// Bad input, closed databases, locks and ownership (API.md "Semantics the tests rely on"): every bad call
// gets the documented error class and code and changes nothing on disk; a closed database answers CLOSED
// everywhere; opens fail with LOCKED / NOT_FOUND / ALREADY_EXISTS and leave nothing new behind; results are
// caller-owned; iterators are stable views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DatabaseClosedError,
  GraniteDB,
  InvalidArgumentError,
  WriteBatch,
  type KeyLike,
} from '../../src/index.js';
import { dirPicture, makeTempDir, removeDir, tinyOptions } from '../../src/testing/index.js';

async function withDb(fn: (db: GraniteDB, dir: string) => Promise<void>): Promise<void> {
  const dir = makeTempDir('granite-valid-');
  const db = await GraniteDB.open(dir, tinyOptions());
  try {
    await db.put('existing', 'value', { sync: true });
    await fn(db, dir);
  } finally {
    await db.close();
    removeDir(dir);
  }
}

const isCode = (code: string) => (err: unknown) => {
  assert.equal((err as { code?: unknown }).code, code, String(err));
  if (code === 'INVALID_ARGUMENT') assert.ok(err instanceof InvalidArgumentError);
  if (code === 'CLOSED') assert.ok(err instanceof DatabaseClosedError);
  return true;
};
const invalid = isCode('INVALID_ARGUMENT');
const closed = isCode('CLOSED');

const OVERSIZED = Buffer.alloc(1024 * 1024 + 1, 0x61);
const BAD_KEYS: [string, unknown][] = [
  ['empty string', ''],
  ['empty Uint8Array', new Uint8Array(0)],
  ['number', 42],
  ['null', null],
  ['undefined', undefined],
  ['object', { a: 1 }],
  ['array', [1, 2]],
  ['oversized (1 MiB + 1)', OVERSIZED],
];
const BAD_VALUES: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['number', 7],
  ['object', {}],
  ['boolean', true],
];

/** Runs `fn` (which must fail with INVALID_ARGUMENT) and checks the directory is byte-for-byte unchanged. */
async function unchangedOnDisk(db: GraniteDB, dir: string, what: string, fn: () => unknown): Promise<void> {
  const before = dirPicture(dir);
  const seq = db.stats().seq;
  let r: unknown;
  try {
    r = fn();
  } catch (err) {
    invalid(err);
    r = undefined;
  }
  if (r instanceof Promise) await assert.rejects(r, invalid, what);
  else if (r !== undefined) assert.fail(`${what} did not fail`);
  await new Promise((res) => setImmediate(res));
  assert.equal(db.stats().seq, seq, what);
  assert.deepEqual(dirPicture(dir), before, `${what} changed the files`);
}

test('bad keys get INVALID_ARGUMENT in writes and reads, and change nothing on disk', () =>
  withDb(async (db, dir) => {
    for (const [name, k] of BAD_KEYS) {
      const key = k as KeyLike;
      await unchangedOnDisk(db, dir, `put(${name})`, () => db.put(key, 'v'));
      await unchangedOnDisk(db, dir, `delete(${name})`, () => db.delete(key));
      await unchangedOnDisk(db, dir, `get(${name})`, () => db.get(key));
      await unchangedOnDisk(db, dir, `getMany([${name}])`, () => db.getMany(['existing', key]));
      assert.throws(() => db.getSync(key), invalid, `getSync(${name})`);
      assert.throws(() => new WriteBatch().put(key, 'v'), invalid, `batch.put(${name})`);
      assert.throws(() => new WriteBatch().delete(key), invalid, `batch.delete(${name})`);
    }
  }));

test('bad values get INVALID_ARGUMENT and change nothing on disk', () =>
  withDb(async (db, dir) => {
    for (const [name, v] of BAD_VALUES) {
      await unchangedOnDisk(db, dir, `put(k, ${name})`, () => db.put('k', v as KeyLike));
      const b = new WriteBatch().put('a', '1');
      assert.throws(() => b.put('k', v as KeyLike), invalid, `batch.put(k, ${name})`);
      assert.equal(b.length, 1, 'a failed batch.put adds nothing');
    }
    assert.equal(await db.get('k'), undefined);
  }));

test('keys of 64 KiB and values of 0 bytes and 1 MiB are accepted', () =>
  withDb(async (db) => {
    const k = Buffer.alloc(64 * 1024, 0xfe);
    await db.put(k, Buffer.alloc(1024 * 1024, 1));
    await db.put('empty', Buffer.alloc(0));
    await db.flush();
    assert.equal((await db.get(k))?.length, 1024 * 1024);
    assert.equal((await db.get('empty'))?.length, 0);
  }));

test('bad write, read and iterator options get INVALID_ARGUMENT', () =>
  withDb(async (db, dir) => {
    await unchangedOnDisk(db, dir, 'sync: "yes"', () =>
      db.put('k', 'v', { sync: 'yes' as unknown as boolean }),
    );
    await unchangedOnDisk(db, dir, 'unknown write option', () => db.put('k', 'v', { fsync: true } as object));
    await unchangedOnDisk(db, dir, 'write(not a batch)', () => db.write({} as WriteBatch));
    await unchangedOnDisk(db, dir, 'getMany(not an array)', () => db.getMany('k' as unknown as KeyLike[]));
    await unchangedOnDisk(db, dir, 'unknown read option', () => db.get('k', { snap: 1 } as object));
    assert.throws(() => db.getSync('k', { snapshot: 5 as never }), invalid);
    const badIters: object[] = [
      { limit: 'ten' },
      { keys: 1 },
      { values: 'no' },
      { reverse: 'yes' },
      { gt: 42 },
      { lte: null },
      { prefix: {} },
      { snapshot: {} },
      { start: 'a' },
    ];
    for (const o of badIters) {
      assert.throws(() => db.iterator(o), invalid, JSON.stringify(o));
      if (!('limit' in o || 'keys' in o || 'values' in o))
        assert.throws(() => db.cursor(o), invalid, `cursor ${JSON.stringify(o)}`);
    }
    assert.throws(() => db.cursor({ limit: 1 } as object), invalid, 'cursor takes no limit');
    const c = db.cursor();
    assert.throws(() => c.seek(42 as unknown as KeyLike), invalid);
    c.close();
    assert.equal(db.stats().openCursors, 0, 'failed iterator() calls hold nothing');
  }));

test('a released snapshot is INVALID_ARGUMENT in get, getSync, getMany, iterator and cursor', () =>
  withDb(async (db) => {
    const s = db.snapshot();
    s.release();
    await assert.rejects(db.get('existing', { snapshot: s }), invalid);
    assert.throws(() => db.getSync('existing', { snapshot: s }), invalid);
    await assert.rejects(db.getMany(['existing'], { snapshot: s }), invalid);
    assert.throws(() => db.iterator({ snapshot: s }), invalid);
    assert.throws(() => db.cursor({ snapshot: s }), invalid);
  }));

test('bad open options get INVALID_ARGUMENT and create nothing', async () => {
  const base = makeTempDir('granite-valid-');
  try {
    const dir = join(base, 'db');
    const bad: object[] = [
      { noSuchOption: 1 },
      { memtableSize: 'big' },
      { memtableSize: 10 },
      { blockSize: -1 },
      { bloomBitsPerKey: 1.5 },
      { restartInterval: 0 },
      { walRecoveryMode: 'whatever' },
      { createIfMissing: 'yes' },
      { compression: 'zstd-ultra' },
      { flushInWorker: 1 },
      { level0CompactionTrigger: 10, level0SlowdownTrigger: 5 },
    ];
    for (const o of bad) {
      await assert.rejects(GraniteDB.open(dir, o), invalid, JSON.stringify(o));
      assert.equal(existsSync(dir), false, `${JSON.stringify(o)} created the directory`);
    }
    await assert.rejects(GraniteDB.open('', {}), invalid);
    await assert.rejects(GraniteDB.open(dir, 5 as unknown as object), invalid);
  } finally {
    removeDir(base);
  }
});

test('after close every method rejects or throws CLOSED, also open iterators and cursors', async () => {
  const dir = makeTempDir('granite-valid-');
  try {
    const db = await GraniteDB.open(dir, tinyOptions());
    await db.put('a', '1');
    const it = db.iterator();
    const c = db.cursor();
    const s = db.snapshot();
    await db.close();
    await assert.rejects(db.get('a'), closed);
    assert.throws(() => db.getSync('a'), closed);
    await assert.rejects(db.getMany(['a']), closed);
    await assert.rejects(db.put('a', '2'), closed);
    await assert.rejects(db.delete('a'), closed);
    await assert.rejects(db.write(new WriteBatch().put('a', '3')), closed);
    assert.throws(() => db.iterator(), closed);
    assert.throws(() => db.cursor(), closed);
    assert.throws(() => db.snapshot(), closed);
    await assert.rejects(async () => db.flush(), closed);
    assert.throws(() => db.stats(), closed);
    assert.throws(() => it.next(), closed);
    assert.throws(() => c.seekToFirst(), closed);
    await assert.rejects(db.get('a', { snapshot: s }), closed);
    await db.close(); // a second close is a no-op
    const again = await GraniteDB.open(dir, tinyOptions());
    assert.equal((await again.get('a'))?.toString(), '1');
    await again.close();
  } finally {
    removeDir(dir);
  }
});

test('a second open of the same directory in this process is LOCKED and disturbs nothing', () =>
  withDb(async (db, dir) => {
    await assert.rejects(GraniteDB.open(dir, tinyOptions()), isCode('LOCKED'));
    await db.put('after', 'x');
    assert.equal((await db.get('existing'))?.toString(), 'value');
  }));

test('an open from another process is LOCKED', () =>
  withDb(async (_db, dir) => {
    const index = pathToFileURL(join(import.meta.dirname, '../../src/index.js')).href;
    const script = `import { GraniteDB } from ${JSON.stringify(index)};
      try { const db = await GraniteDB.open(${JSON.stringify(dir)}); await db.close(); console.log('OPENED'); }
      catch (e) { console.log(e.code); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'LOCKED', r.stderr);
  }));

test('createIfMissing: false on a missing directory is NOT_FOUND and creates nothing', async () => {
  const base = makeTempDir('granite-valid-');
  try {
    const dir = join(base, 'missing');
    await assert.rejects(GraniteDB.open(dir, { createIfMissing: false }), isCode('NOT_FOUND'));
    assert.equal(existsSync(dir), false);
    // An existing empty directory holds no database either.
    await assert.rejects(GraniteDB.open(base, { createIfMissing: false }), isCode('NOT_FOUND'));
    assert.deepEqual(dirPicture(base), {});
  } finally {
    removeDir(base);
  }
});

test('errorIfExists on an existing database is ALREADY_EXISTS and changes nothing', async () => {
  const dir = makeTempDir('granite-valid-');
  try {
    const db = await GraniteDB.open(dir, tinyOptions());
    await db.put('a', '1');
    await db.close();
    const before = dirPicture(dir);
    await assert.rejects(GraniteDB.open(dir, { errorIfExists: true }), isCode('ALREADY_EXISTS'));
    assert.deepEqual(dirPicture(dir), before);
  } finally {
    removeDir(dir);
  }
});

test('results are caller-owned Buffers: mutating them changes nothing, also when read from tables', () =>
  withDb(async (db) => {
    await db.put('k1', 'value-1');
    await db.put('k2', 'value-2');
    for (const phase of ['memtable', 'table']) {
      const v = (await db.get('k1'))!;
      v.fill(0x21);
      assert.equal((await db.get('k1'))?.toString(), 'value-1', phase);
      const s = db.getSync('k2')!;
      s.fill(0x21);
      const [m] = await db.getMany(['k2']);
      assert.equal(m?.toString(), 'value-2', phase);
      m!.fill(0x21);
      for (const [k, val] of db.iterator()) {
        k!.fill(0x21);
        val!.fill(0x21);
      }
      assert.deepEqual(
        [...db.iterator()].map(([k, val]) => `${k}=${val}`),
        ['existing=value', 'k1=value-1', 'k2=value-2'],
        phase,
      );
      const c = db.cursor();
      c.seekToFirst();
      c.key().fill(0x21);
      c.value().fill(0x21);
      assert.equal(c.key().toString(), 'existing');
      assert.equal(c.value().toString(), 'value');
      c.close();
      await db.flush();
    }
  }));

test('an iterator never reuses a Buffer it handed out', () =>
  withDb(async (db) => {
    for (let i = 0; i < 50; i++) await db.put(`k${String(i).padStart(2, '0')}`, `v${i}`);
    await db.flush();
    const got = [...db.iterator()];
    assert.equal(got[1]![0]!.toString(), 'k00');
    assert.equal(got[50]![1]!.toString(), 'v49');
    assert.deepEqual(
      got.map(([k]) => k!.toString()),
      ['existing', ...Array.from({ length: 50 }, (_, i) => `k${String(i).padStart(2, '0')}`)],
    );
  }));

test('inputs may be reused as soon as the call returns', () =>
  withDb(async (db) => {
    const k = Buffer.from('key');
    const v = Buffer.from('val');
    const p = db.put(k, v);
    k.fill(0x21);
    v.fill(0x21);
    await p;
    assert.equal((await db.get('key'))?.toString(), 'val');
    const bk = Buffer.from('bkey');
    const bv = Buffer.from('bval');
    const b = new WriteBatch().put(bk, bv);
    bk.fill(0x21);
    bv.fill(0x21);
    await db.write(b);
    assert.equal((await db.get('bkey'))?.toString(), 'bval');
  }));

test('an iterator or cursor created before later writes and a flush does not see them', () =>
  withDb(async (db) => {
    await db.put('a', '1');
    await db.put('b', '2');
    const it = db.iterator();
    const c = db.cursor();
    await db.put('c', '3');
    await db.delete('a');
    await db.put('b', 'changed');
    await db.flush();
    await db.put('d', '4');
    assert.deepEqual(
      [...it].map(([k, v]) => `${k}=${v}`),
      ['a=1', 'b=2', 'existing=value'],
    );
    c.seekToFirst();
    const seen: string[] = [];
    while (c.valid()) {
      seen.push(`${c.key()}=${c.value()}`);
      c.next();
    }
    c.close();
    assert.deepEqual(seen, ['a=1', 'b=2', 'existing=value']);
    assert.deepEqual(
      [...db.iterator()].map(([k, v]) => `${k}=${v}`),
      ['b=changed', 'c=3', 'd=4', 'existing=value'],
    );
  }));
