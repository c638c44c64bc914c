// GraniteLevel behaviour beyond abstract-level's suite: the key escape is invisible to the engine for ordinary
// keys, compactRange() works, engine options pass through and engine errors carry abstract-level codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraniteDB } from '../../src/index.js';
import { GraniteLevel } from '../../src/level/index.js';

function tempDir(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'granite-level-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'db');
}

test('ordinary keys are stored as-is; empty and 0x00-led keys keep their order', async (t) => {
  const dir = tempDir(t);
  const db = new GraniteLevel(dir);
  await db.batch([
    { type: 'put', key: 'b', value: '2' },
    { type: 'put', key: '', value: 'empty' },
    { type: 'put', key: '\u0000', value: 'zero' },
    { type: 'put', key: '\u0000\u0000x', value: 'zerozero' },
    { type: 'put', key: '\u0001', value: 'one' },
  ]);
  assert.deepEqual(await db.keys().all(), ['', '\u0000', '\u0000\u0000x', '\u0001', 'b']);
  assert.deepEqual(await db.keys({ gt: '', lt: '\u0001' }).all(), ['\u0000', '\u0000\u0000x']);
  const it = db.keys({ reverse: true });
  it.seek('\u0000\u0000');
  assert.deepEqual(await it.all(), ['\u0000', '']);
  await db.close();

  const engine = await GraniteDB.open(dir);
  assert.equal((await engine.get('b'))?.toString(), '2');
  assert.equal((await engine.get('\u0001'))?.toString(), 'one');
  await engine.close();
});

test('compactRange() falls back to flush and leaves the data readable', async (t) => {
  const db = new GraniteLevel(tempDir(t));
  await db.put('k', 'v');
  await db.compactRange('a', 'z');
  const levels = db.engine.stats().levels;
  assert.ok(levels.reduce((a, l) => a + l.files, 0) >= 1, 'a table was written');
  assert.equal(await db.get('k'), 'v');
  await db.close();
});

test('a second open of the same directory fails with LEVEL_LOCKED as the cause', async (t) => {
  const dir = tempDir(t);
  const a = new GraniteLevel(dir);
  await a.open();
  const b = new GraniteLevel(dir);
  await assert.rejects(b.open(), (err: Error & { code?: string; cause?: { code?: string } }) => {
    assert.equal(err.code, 'LEVEL_DATABASE_NOT_OPEN');
    assert.equal(err.cause?.code, 'LEVEL_LOCKED');
    return true;
  });
  await a.close();
});

test('engine options pass through; bad ones fail the open', async (t) => {
  const db = new GraniteLevel(tempDir(t), { memtableSize: -1 });
  await assert.rejects(db.open(), (err: Error & { cause?: { code?: string } }) => {
    assert.equal(err.cause?.code, 'INVALID_ARGUMENT');
    return true;
  });
});

test('getSync() and explicit snapshots', async (t) => {
  const db = new GraniteLevel<string, { n: number }>(tempDir(t), { valueEncoding: 'json' });
  await db.open();
  await db.put('a', { n: 1 });
  const snap = db.snapshot();
  await db.put('a', { n: 2 });
  assert.deepEqual(db.getSync('a'), { n: 2 });
  assert.deepEqual(db.getSync('a', { snapshot: snap }), { n: 1 });
  assert.deepEqual(await db.iterator({ snapshot: snap }).all(), [['a', { n: 1 }]]);
  await snap.close();
  await db.close();
});
