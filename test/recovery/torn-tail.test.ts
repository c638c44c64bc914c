// Torn tails and damage in the last WAL (API.md "Damage"; src/wal/log-reader.ts): a WAL cut at every byte
// offset inside its final record opens, keeps every earlier batch and applies the final one all or nothing;
// a damaged final record is dropped; damage followed by an intact record is CORRUPTION naming the WAL and
// the damaged fragment's offset, unless walRecoveryMode says otherwise. Images live in MemoryFileSystems
// (one copy per case); one group of cuts runs on disk with truncate().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { CorruptionError, GraniteDB, WriteBatch, type Options } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import type { FileSystem } from '../../src/fs/index.js';
import {
  copyDir,
  copyMemoryFs,
  makeTempDir,
  removeDir,
  tinyOptions,
  truncate,
  writeMemFile,
} from '../../src/testing/index.js';
import { recordsOf, type Record } from './wal-frames.js';

const DIR = '/db';

/** Batch i: `size` puts b<i>/<j> (and a delete of an earlier batch's first key when i is odd). */
function valueFor(i: number, j: number, valueLen = 20): string {
  return `${i}.${j}:`.padEnd(valueLen, String.fromCharCode(97 + (i % 26)));
}
function batchOf(i: number, size: number, valueLen = 20): WriteBatch {
  const b = new WriteBatch();
  for (let j = 0; j < size; j++) b.put(`b${i}/${j}`, valueFor(i, j, valueLen));
  if (i % 2 === 1) b.delete(`d${i}`);
  return b;
}

interface Image {
  fs: MemoryFileSystem;
  wal: string;
  bytes: Buffer;
  records: Record[];
  sizes: number[];
  valueLen: number;
}

/** Writes `sizes.length` batches (the last with sync) without closing and returns a copy of the files. */
async function buildImage(sizes: number[], valueLen = 20, close = false): Promise<Image> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, { fileSystem: fs });
  for (let i = 0; i < sizes.length; i++) {
    await db.put(`d${i}`, 'x');
    await db.write(batchOf(i, sizes[i]!, valueLen), { sync: i === sizes.length - 1 });
  }
  if (close) await db.close();
  const image = copyMemoryFs(fs, DIR);
  if (!close) await db.close();
  const wal = image
    .list(DIR)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .at(-1)!;
  const bytes = image.readFile(join(DIR, wal));
  return { fs: image, wal, bytes, records: recordsOf(bytes), sizes, valueLen };
}

/** Which batches are visible: 'all', 'none', or a failure message for a partial batch. */
async function batchStates(db: GraniteDB, sizes: number[], valueLen = 20): Promise<('all' | 'none')[]> {
  const out: ('all' | 'none')[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const keys = Array.from({ length: sizes[i]! }, (_, j) => `b${i}/${j}`);
    const vs = await db.getMany(keys);
    const n = vs.filter((v) => v !== undefined).length;
    if (n !== 0 && n !== keys.length) assert.fail(`batch ${i} is partial: ${n} of ${keys.length}`);
    for (const [j, v] of vs.entries())
      if (v !== undefined) assert.equal(v.toString(), valueFor(i, j, valueLen));
    out.push(n === 0 ? 'none' : 'all');
  }
  return out;
}

function withWal(image: Image, bytes: Buffer): FileSystem {
  const fs = copyMemoryFs(image.fs, DIR);
  writeMemFile(fs, join(DIR, image.wal), bytes);
  return fs;
}

async function openStates(fs: FileSystem, img: Image, o: Partial<Options> = {}): Promise<('all' | 'none')[]> {
  const db = await GraniteDB.open(DIR, { ...o, fileSystem: fs });
  try {
    return await batchStates(db, img.sizes, img.valueLen);
  } finally {
    await db.close();
  }
}

function expectCorruption(file: string, offset: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CorruptionError, `expected CorruptionError, got ${String(err)}`);
    assert.equal(err.code, 'CORRUPTION');
    assert.equal(err.file, file);
    assert.equal(err.offset, offset);
    return true;
  };
}

test('the image under test: one WAL record per write, every batch visible when intact', async () => {
  const img = await buildImage([3, 5, 4, 6]);
  assert.equal(img.records.length, 8);
  assert.equal(img.records.at(-1)!.end, img.bytes.length);
  assert.deepEqual(await openStates(withWal(img, img.bytes), img), ['all', 'all', 'all', 'all']);
});

test('a WAL cut at every byte offset inside its final record: open succeeds, earlier batches stay, the final one is dropped', async () => {
  const img = await buildImage([3, 5, 4, 6]);
  const last = img.records.at(-1)!;
  for (let cut = last.offset; cut < img.bytes.length; cut++) {
    const states = await openStates(withWal(img, img.bytes.subarray(0, cut)), img);
    assert.deepEqual(states, ['all', 'all', 'all', 'none'], `cut at ${cut}`);
  }
});

test('the same cuts after a clean close', async () => {
  const img = await buildImage([2, 7, 1], 20, true);
  const last = img.records.at(-1)!;
  for (let cut = last.offset; cut <= img.bytes.length; cut++) {
    const states = await openStates(withWal(img, img.bytes.subarray(0, cut)), img);
    assert.deepEqual(states, ['all', 'all', cut === img.bytes.length ? 'all' : 'none'], `cut at ${cut}`);
  }
});

test('a final record of several fragments across a block boundary, cut anywhere: all or nothing', async () => {
  // ~48 KiB final batch: First fragment in block 0, Last in block 1.
  const img = await buildImage([3, 2, 400], 100);
  const last = img.records.at(-1)!;
  assert.ok(last.fragments.length >= 2, 'final record has several fragments');
  const cuts = new Set<number>();
  for (const f of last.fragments) for (let d = -2; d <= 9; d++) cuts.add(f.offset + d);
  for (let c = last.offset; c < img.bytes.length; c += 997) cuts.add(c);
  cuts.add(img.bytes.length - 1);
  cuts.add(32768 - 1);
  cuts.add(32768);
  for (const cut of [...cuts].filter((c) => c >= last.offset && c < img.bytes.length).sort((a, b) => a - b)) {
    const states = await openStates(withWal(img, img.bytes.subarray(0, cut)), img);
    assert.deepEqual(states, ['all', 'all', 'none'], `cut at ${cut}`);
  }
});

test('after a torn tail is dropped the database takes writes and reopens with them', async () => {
  const img = await buildImage([3, 5, 4]);
  const last = img.records.at(-1)!;
  const fs = withWal(img, img.bytes.subarray(0, last.offset + 11));
  let db = await GraniteDB.open(DIR, { fileSystem: fs });
  await db.write(batchOf(9, 3), { sync: true });
  await db.close();
  db = await GraniteDB.open(DIR, { fileSystem: fs });
  assert.deepEqual(await batchStates(db, [3, 5, 4]), ['all', 'all', 'none']);
  assert.equal((await db.get('b9/2'))?.toString(), valueFor(9, 2));
  await db.close();
});

test('cuts on disk (NodeFileSystem, truncate()) inside the final record', async () => {
  const base = makeTempDir('granite-torn-');
  try {
    const src = join(base, 'src');
    let db = await GraniteDB.open(src, tinyOptions({ memtableSize: 1 << 20 }));
    for (let i = 0; i < 3; i++) await db.write(batchOf(i, 4), { sync: i === 2 });
    await db.close();
    const wal = readdirSync(src)
      .filter((n) => n.endsWith('.log'))
      .sort()
      .at(-1)!;
    const bytes = readFileSync(join(src, wal));
    const last = recordsOf(bytes).at(-1)!;
    for (const cut of [last.offset, last.offset + 1, last.offset + 6, last.offset + 7, bytes.length - 1]) {
      const dir = join(base, `cut-${cut}`);
      copyDir(src, dir);
      truncate(join(dir, wal), cut);
      db = await GraniteDB.open(dir, tinyOptions({ memtableSize: 1 << 20 }));
      assert.deepEqual(await batchStates(db, [4, 4, 4]), ['all', 'all', 'none'], `cut at ${cut}`);
      await db.close();
    }
  } finally {
    removeDir(base);
  }
});

test('a damaged final record (a flipped byte anywhere in it) with nothing after it is dropped', async () => {
  const img = await buildImage([3, 5, 4, 6]);
  const last = img.records.at(-1)!;
  for (let at = last.offset; at < last.end; at++) {
    const bytes = Buffer.from(img.bytes);
    bytes[at]! ^= 0x5a;
    const states = await openStates(withWal(img, bytes), img);
    assert.deepEqual(states, ['all', 'all', 'all', 'none'], `flip at ${at}`);
  }
});

test('damage followed by an intact record is CORRUPTION with the WAL name and the fragment offset', async () => {
  const img = await buildImage([3, 5, 4, 6]);
  // Records: put d0, batch 0, put d1, batch 1, ...; damage batch 2 (record 5), records 6 and 7 follow intact.
  const victim = img.records[5]!;
  for (const at of [
    victim.offset,
    victim.offset + 3,
    victim.offset + 7,
    victim.offset + 20,
    victim.end - 1,
  ]) {
    const bytes = Buffer.from(img.bytes);
    bytes[at]! ^= 0x01;
    await assert.rejects(
      GraniteDB.open(DIR, { fileSystem: withWal(img, bytes) }),
      expectCorruption(img.wal, victim.offset),
      `flip at ${at}`,
    );
  }
});

test('a damaged length field followed by intact records is CORRUPTION, not a torn tail', async () => {
  const img = await buildImage([3, 5, 4, 6]);
  for (const victim of img.records.slice(0, -1)) {
    for (const at of [victim.offset + 4, victim.offset + 5]) {
      const bytes = Buffer.from(img.bytes);
      bytes[at]! ^= 0x5a;
      await assert.rejects(
        GraniteDB.open(DIR, { fileSystem: withWal(img, bytes) }),
        expectCorruption(img.wal, victim.offset),
        `flip at ${at}`,
      );
    }
  }
});

test('damage in a middle fragment of a multi-fragment record followed by intact records names that fragment', async () => {
  // A ~100 KiB batch spans First, Middle(s), Last; a small batch follows it.
  const img = await buildImage([2, 900, 3], 100);
  const big = img.records.find((r) => r.fragments.length >= 3)!;
  assert.ok(big !== undefined && big !== img.records.at(-1));
  const middle = big.fragments[1]!;
  assert.equal(middle.type, 3);
  const bytes = Buffer.from(img.bytes);
  bytes[middle.offset + 100]! ^= 0x01;
  await assert.rejects(
    GraniteDB.open(DIR, { fileSystem: withWal(img, bytes) }),
    expectCorruption(img.wal, middle.offset),
  );
});

test("walRecoveryMode 'absolute-consistency': even a torn tail is CORRUPTION", async () => {
  const img = await buildImage([3, 5]);
  const last = img.records.at(-1)!;
  await assert.rejects(
    GraniteDB.open(DIR, {
      fileSystem: withWal(img, img.bytes.subarray(0, last.offset + 10)),
      walRecoveryMode: 'absolute-consistency',
    }),
    expectCorruption(img.wal, last.offset),
  );
});

test("walRecoveryMode 'point-in-time': mid-log damage stops recovery there, without an error", async () => {
  const img = await buildImage([3, 5, 4, 6]);
  const bytes = Buffer.from(img.bytes);
  bytes[img.records[5]!.offset + 9]! ^= 0x01; // batch 2
  const fs = withWal(img, bytes);
  assert.deepEqual(await openStates(fs, img, { walRecoveryMode: 'point-in-time' }), [
    'all',
    'all',
    'none',
    'none',
  ]);
  // The cut is permanent: a later open in the default mode sees the same state.
  assert.deepEqual(await openStates(fs, img), ['all', 'all', 'none', 'none']);
});

test("walRecoveryMode 'point-in-time': a torn tail is dropped like in the default mode", async () => {
  const img = await buildImage([3, 5, 4]);
  const last = img.records.at(-1)!;
  const fs = withWal(img, img.bytes.subarray(0, last.offset + 12));
  assert.deepEqual(await openStates(fs, img, { walRecoveryMode: 'point-in-time' }), ['all', 'all', 'none']);
});

test("walRecoveryMode 'skip-any-corrupted': the damaged record is skipped, later records are kept", async () => {
  const img = await buildImage([3, 5, 4, 6]);
  const bytes = Buffer.from(img.bytes);
  bytes[img.records[3]!.offset + 9]! ^= 0x01; // batch 1
  assert.deepEqual(await openStates(withWal(img, bytes), img, { walRecoveryMode: 'skip-any-corrupted' }), [
    'all',
    'none',
    'all',
    'all',
  ]);
});

test("walRecoveryMode 'skip-any-corrupted': a damaged final record is dropped", async () => {
  const img = await buildImage([3, 5, 4]);
  const bytes = Buffer.from(img.bytes);
  bytes[img.records.at(-1)!.offset + 9]! ^= 0x01;
  assert.deepEqual(await openStates(withWal(img, bytes), img, { walRecoveryMode: 'skip-any-corrupted' }), [
    'all',
    'all',
    'none',
  ]);
});
