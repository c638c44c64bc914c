// Damage to tables, the MANIFEST and CURRENT (API.md "Damage"; STYLE.md: one named test per damage case).
// Each case flips a byte (or cuts a file) in a copy of a database image, then opens it and reads every key
// with get() and with a full scan. Allowed outcomes: a CorruptionError naming the damaged file with the
// offset of the damaged block or record, or the correct value. Never a wrong value, a lost key, or an
// untyped exception. Table regions are found by parsing the footer by hand from src/format/sstable.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CorruptionError, GraniteDB, type Options } from '../../src/index.js';
import { MemoryFileSystem, type FileSystem } from '../../src/fs/index.js';
import { copyMemoryFs, tinyOptions, u32, u64, varint, writeMemFile } from '../../src/testing/index.js';
import { recordsOf } from './wal-frames.js';

const DIR = '/db';
const NO_COMPACTION = {
  level0CompactionTrigger: 1000,
  level0SlowdownTrigger: 1000,
  level0StopTrigger: 1000,
  seekCompaction: false,
};
const FOOTER = 40;
const TRAILER = 5;
const MAGIC = Buffer.from('granSST\x01', 'latin1');

// ------------------------------------------------------------------ the image

interface Image {
  fs: MemoryFileSystem;
  model: Map<string, string>;
  tables: string[]; // oldest first
  manifest: string;
}

/** Four flushed tables whose keys interleave; the newest overwrites and deletes keys of older ones. */
async function buildImage(): Promise<Image> {
  const fs = new MemoryFileSystem();
  // Compaction off (triggers out of reach) so that the four flushed tables stay as they are.
  const db = await GraniteDB.open(
    DIR,
    tinyOptions({ fileSystem: fs, memtableSize: 1 << 20, ...NO_COMPACTION }),
  );
  const model = new Map<string, string>();
  for (let t = 0; t < 4; t++) {
    for (let i = t; i < 160; i += 3) {
      const k = `key${String(i).padStart(4, '0')}`;
      if (t === 3 && i % 5 === 0) {
        await db.delete(k);
        model.delete(k);
      } else {
        const v = `t${t}-v${i}-`.padEnd(10 + (i % 40), 'x');
        await db.put(k, v);
        model.set(k, v);
      }
    }
    await db.flush();
  }
  await db.close();
  const names = fs.list(DIR);
  const tables = names.filter((n) => n.endsWith('.sst')).sort();
  assert.equal(tables.length, 4);
  const manifest = names.find((n) => n.startsWith('MANIFEST-'))!;
  return { fs, model, tables, manifest };
}

const imagePromise = buildImage();

function damaged(img: Image, file: string, edit: (b: Buffer) => Buffer): FileSystem {
  const fs = copyMemoryFs(img.fs, DIR);
  writeMemFile(fs, join(DIR, file), edit(Buffer.from(fs.readFile(join(DIR, file)))));
  return fs;
}
const flip =
  (at: number, mask = 0x5a) =>
  (b: Buffer): Buffer => {
    b[at]! ^= mask;
    return b;
  };

function checkCorruption(err: unknown, file: string, offsets: number[] | 'any', where: string): void {
  if (!(err instanceof CorruptionError))
    assert.fail(`${where}: expected CorruptionError, got ${String(err)}`);
  assert.equal(err.code, 'CORRUPTION', where);
  assert.equal(err.file, file, `${where}: ${err.message}`);
  if (offsets !== 'any')
    assert.ok(offsets.includes(err.offset), `${where}: offset ${err.offset} not in ${offsets}`);
}

/**
 * Opens and reads every key (get and scan). Returns how many reads raised CorruptionError (each checked
 * against `file`/`offsets`); fails on any wrong value or other error.
 */
async function readAll(
  fs: FileSystem,
  img: Image,
  file: string,
  offsets: number[] | 'any',
  options: Partial<Options> = {},
): Promise<number> {
  let db: GraniteDB;
  try {
    db = await GraniteDB.open(DIR, { ...NO_COMPACTION, ...options, fileSystem: fs });
  } catch (err) {
    checkCorruption(err, file, offsets, 'open');
    return 1;
  }
  let errors = 0;
  try {
    const all = [
      ...new Set([
        ...img.model.keys(),
        ...Array.from({ length: 160 }, (_, i) => `key${String(i).padStart(4, '0')}`),
      ]),
    ];
    for (const k of all) {
      try {
        assert.equal(db.getSync(k)?.toString('latin1'), img.model.get(k), `get ${k}`);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        checkCorruption(err, file, offsets, `get ${k}`);
        errors++;
      }
    }
    const want = [...img.model.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    let n = 0;
    try {
      for (const [k, v] of db.iterator()) {
        assert.ok(n < want.length, 'scan yields too many entries');
        assert.deepEqual([k!.toString('latin1'), v!.toString('latin1')], want[n], `scan entry ${n}`);
        n++;
      }
      assert.equal(n, want.length, 'scan yields every entry');
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      checkCorruption(err, file, offsets, `scan after ${n} entries`);
      errors++;
    }
  } finally {
    await db.close();
  }
  return errors;
}

// ------------------------------------------------------------------ table regions, parsed by hand

interface Region {
  offset: number;
  size: number; // contents, without the trailer
}
interface TableLayout {
  size: number;
  footer: number;
  index: Region;
  metaindex: Region;
  filter: Region | undefined;
  properties: Region;
  data: Region[];
}

/** Entries (key, value) of a block's contents. */
function blockEntries(contents: Buffer): [Buffer, Buffer][] {
  const numRestarts = u32(contents, contents.length - 4);
  const end = contents.length - 4 - 4 * numRestarts;
  const out: [Buffer, Buffer][] = [];
  let p = 0;
  let last = Buffer.alloc(0);
  while (p < end) {
    let shared: number, unshared: number, valueLen: number;
    [shared, p] = varint(contents, p);
    [unshared, p] = varint(contents, p);
    [valueLen, p] = varint(contents, p);
    const key = Buffer.concat([last.subarray(0, shared), contents.subarray(p, p + unshared)]);
    p += unshared;
    out.push([key, contents.subarray(p, p + valueLen)]);
    p += valueLen;
    last = key;
  }
  return out;
}
const handle = (b: Buffer, p = 0): Region => ({ offset: u64(b, p), size: u32(b, p + 8) });

function layoutOf(bytes: Buffer): TableLayout {
  const footer = bytes.length - FOOTER;
  assert.deepEqual(bytes.subarray(footer + 32), MAGIC);
  const metaindex = handle(bytes, footer);
  const index = handle(bytes, footer + 12);
  const block = (r: Region): Buffer => bytes.subarray(r.offset, r.offset + r.size);
  const meta = new Map(blockEntries(block(metaindex)).map(([k, v]) => [k.toString('latin1'), handle(v)]));
  const data = blockEntries(block(index)).map(([, v]) => handle(v));
  return {
    size: bytes.length,
    footer,
    index,
    metaindex,
    filter: meta.get('granite.bloom'),
    properties: meta.get('granite.properties')!,
    data,
  };
}

/** Flips a byte in the middle of a block's contents and, separately, in its trailer; both must be handled. */
async function damageBlock(img: Image, table: string, pick: (l: TableLayout) => Region, options = {}) {
  const bytes = img.fs.readFile(join(DIR, table));
  const r = pick(layoutOf(bytes));
  for (const at of [r.offset, r.offset + (r.size >> 1), r.offset + r.size - 1, r.offset + r.size + 2]) {
    await readAll(damaged(img, table, flip(at)), img, table, [r.offset], options);
  }
}

// ------------------------------------------------------------------ tables

test('the image under test: 4 tables with several data blocks each, filter, properties, and an intact read', async () => {
  const img = await imagePromise;
  for (const t of img.tables) {
    const l = layoutOf(img.fs.readFile(join(DIR, t)));
    assert.ok(l.data.length >= 3, `${t} has ${l.data.length} data blocks`);
    assert.ok(l.filter !== undefined);
    assert.equal(l.data[0]!.offset, 0);
    assert.equal(l.index.offset + l.index.size + TRAILER, l.footer);
  }
  assert.equal(await readAll(copyMemoryFs(img.fs, DIR), img, '', 'any'), 0);
});

test('table: flipped byte in the first data block', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[3]!, (l) => l.data[0]!);
});

test('table: flipped byte in a middle data block (of an older table, under newer ones)', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[0]!, (l) => l.data[l.data.length >> 1]!);
});

test('table: flipped byte in the last data block', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[2]!, (l) => l.data.at(-1)!);
});

test('table: flipped byte in a data block, found by paranoidChecks at open', async () => {
  const img = await imagePromise;
  const t = img.tables[1]!;
  const r = layoutOf(img.fs.readFile(join(DIR, t))).data[1]!;
  await assert.rejects(
    GraniteDB.open(DIR, { fileSystem: damaged(img, t, flip(r.offset + 3)), paranoidChecks: true }),
    (err) => (checkCorruption(err, t, [r.offset], 'open'), true),
  );
});

test('table: flipped byte in the filter block', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[3]!, (l) => l.filter!);
});

test('table: flipped byte in the index block', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[3]!, (l) => l.index);
});

test('table: flipped byte in the properties block', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[3]!, (l) => l.properties);
});

test('table: flipped byte in the metaindex block', async () => {
  const img = await imagePromise;
  await damageBlock(img, img.tables[3]!, (l) => l.metaindex);
});

test('table: flipped byte at every offset of the footer', async () => {
  const img = await imagePromise;
  const t = img.tables[3]!;
  const footer = layoutOf(img.fs.readFile(join(DIR, t))).footer;
  for (let at = footer; at < footer + FOOTER; at++) {
    await readAll(damaged(img, t, flip(at, 0x01)), img, t, [footer]);
  }
});

test('table: truncated (footer cut off, or cut to a few bytes)', async () => {
  const img = await imagePromise;
  const t = img.tables[2]!;
  const size = img.fs.size(join(DIR, t));
  for (const len of [size - 1, size - FOOTER, 10, 0]) {
    await readAll(
      damaged(img, t, (b) => b.subarray(0, len)),
      img,
      t,
      [0, len - FOOTER],
    );
  }
});

test('table: a .sst named by the MANIFEST is missing: CorruptionError(file, -1) at open', async () => {
  const img = await imagePromise;
  const fs = copyMemoryFs(img.fs, DIR);
  fs.unlink(join(DIR, img.tables[1]!));
  await assert.rejects(
    GraniteDB.open(DIR, { fileSystem: fs }),
    (err) => (checkCorruption(err, img.tables[1]!, [-1], 'open'), true),
  );
});

// ------------------------------------------------------------------ MANIFEST and CURRENT

test('MANIFEST: a flipped byte in each record followed by another record is detected at open', async () => {
  const img = await imagePromise;
  const bytes = img.fs.readFile(join(DIR, img.manifest));
  const records = recordsOf(bytes);
  assert.ok(records.length >= 5, `MANIFEST has ${records.length} records`);
  for (const r of records.slice(0, -1)) {
    // crc, type, first and last payload byte (a damaged length is not yet told from a torn tail)
    for (const at of [r.offset, r.offset + 2, r.offset + 6, r.offset + 7, r.end - 1]) {
      await readAll(damaged(img, img.manifest, flip(at)), img, img.manifest, [r.offset]);
    }
  }
});

test('MANIFEST: cut inside its first record (the snapshot) is CorruptionError at open', async () => {
  const img = await imagePromise;
  const bytes = img.fs.readFile(join(DIR, img.manifest));
  const first = recordsOf(bytes)[0]!;
  for (let cut = 0; cut < first.end; cut++) {
    await assert.rejects(
      GraniteDB.open(DIR, { fileSystem: damaged(img, img.manifest, (b) => b.subarray(0, cut)) }),
      (err) => (checkCorruption(err, img.manifest, [0], `cut at ${cut}`), true),
    );
  }
});

test('MANIFEST: a flipped byte in the final record, or in any length field, is detected at open', async () => {
  const img = await imagePromise;
  const bytes = img.fs.readFile(join(DIR, img.manifest));
  const records = recordsOf(bytes);
  const last = records.at(-1)!;
  for (const at of [
    last.offset,
    last.offset + 4,
    last.offset + 5,
    last.offset + 6,
    last.offset + 7,
    last.end - 1,
  ]) {
    await readAll(damaged(img, img.manifest, flip(at)), img, img.manifest, [last.offset]);
  }
  for (const r of records) {
    await readAll(damaged(img, img.manifest, flip(r.offset + 4)), img, img.manifest, [r.offset]);
    await readAll(damaged(img, img.manifest, flip(r.offset + 5)), img, img.manifest, [r.offset]);
  }
});

test('MANIFEST: cut at a record boundary, or inside any record, is detected at open', async () => {
  const img = await imagePromise;
  const bytes = img.fs.readFile(join(DIR, img.manifest));
  const records = recordsOf(bytes);
  const cuts = new Set<number>();
  for (const r of records) for (const d of [0, 1, 7, 8, (r.end - r.offset) >> 1]) cuts.add(r.offset + d);
  for (const cut of [...cuts].filter((c) => c < bytes.length).sort((a, b) => a - b)) {
    const offsets = [...records.filter((r) => r.offset <= cut).map((r) => r.offset), 0];
    await assert.rejects(
      GraniteDB.open(DIR, { fileSystem: damaged(img, img.manifest, (b) => b.subarray(0, cut)) }),
      (err) => (checkCorruption(err, img.manifest, offsets, `cut at ${cut}`), true),
    );
  }
});

test('MANIFEST: empty file is CorruptionError at open', async () => {
  const img = await imagePromise;
  await assert.rejects(
    GraniteDB.open(DIR, { fileSystem: damaged(img, img.manifest, () => Buffer.alloc(0)) }),
    (err) => (checkCorruption(err, img.manifest, [0, -1], 'open'), true),
  );
});

test('MANIFEST: missing file named by CURRENT is CorruptionError(MANIFEST, -1)', async () => {
  const img = await imagePromise;
  const fs = copyMemoryFs(img.fs, DIR);
  fs.unlink(join(DIR, img.manifest));
  await assert.rejects(
    GraniteDB.open(DIR, { fileSystem: fs }),
    (err) => (checkCorruption(err, img.manifest, [-1], 'open'), true),
  );
});

test('CURRENT: a flipped byte at every offset is CorruptionError(CURRENT)', async () => {
  const img = await imagePromise;
  const n = img.fs.size(join(DIR, 'CURRENT'));
  for (let at = 0; at < n; at++) {
    await assert.rejects(
      GraniteDB.open(DIR, { fileSystem: damaged(img, 'CURRENT', flip(at)) }),
      (err) => (checkCorruption(err, 'CURRENT', 'any', `flip at ${at}`), true),
    );
  }
});

test('CURRENT: truncated (newline cut, half, empty) is CorruptionError(CURRENT)', async () => {
  const img = await imagePromise;
  const n = img.fs.size(join(DIR, 'CURRENT'));
  for (const len of [n - 1, n >> 1, 0]) {
    await assert.rejects(
      GraniteDB.open(DIR, { fileSystem: damaged(img, 'CURRENT', (b) => b.subarray(0, len)) }),
      (err) => (checkCorruption(err, 'CURRENT', 'any', `cut at ${len}`), true),
    );
  }
});

test('CURRENT: missing while the MANIFEST and tables exist is CorruptionError(CURRENT, -1)', async () => {
  const img = await imagePromise;
  const fs = copyMemoryFs(img.fs, DIR);
  fs.unlink(join(DIR, 'CURRENT'));
  await assert.rejects(
    GraniteDB.open(DIR, { fileSystem: fs }),
    (err) => (checkCorruption(err, 'CURRENT', [-1], 'open'), true),
  );
});
