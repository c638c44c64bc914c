// Small database images, one per on-disk structure, built with the engine on a MemoryFileSystem and never
// changed (cases damage copies). `target` is the file a fixture's cases damage; `states` the labelled models
// a reader may see (rules.ts says which a damage allows). Layouts are read back by hand parsers (layout.ts,
// ../../recovery/wal-frames.ts) and asserted, so a change in the writer fails loudly here.
//   wal: six synced writes in one WAL;  wal-blocks: a WAL over three log blocks (a header-only First, a
//   Middle filling block 1, a Last);  wal-pair: an older WAL (damaged) and a newer one;  sst: one table of
//   8 data blocks, filter, properties, metaindex, index, footer, with two versions of some keys and
//   tombstones;  manifest: 8 edits (snapshot, rotations, flushes, a compaction);  current: its CURRENT.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { GraniteDB, WriteBatch, type Options } from '../../../src/index.js';
import { MemoryFileSystem } from '../../../src/fs/index.js';
import { copyMemoryFs, writeMemFile } from '../../../src/testing/index.js';
import { recordsOf, type Record as LogRecordSpan } from '../../recovery/wal-frames.js';
import { sstRegions, type Region } from './layout.js';

export const DIR = '/db';

export const FIXTURE_NAMES = ['wal', 'wal-blocks', 'wal-pair', 'sst', 'manifest', 'current'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];
export type Structure = 'wal' | 'older-wal' | 'sst' | 'manifest' | 'current';

export type Model = ReadonlyMap<string, string>;
export interface LabelledState {
  label: string;
  model: Model;
}

export interface Fixture {
  name: FixtureName;
  structure: Structure;
  image: MemoryFileSystem;
  /** The file (name inside DIR) every case of this fixture damages. */
  target: string;
  bytes: Buffer;
  /** Every key written, plus keys never written. */
  keys: string[];
  /** `final` is the undamaged state; WAL fixtures add `prefix:i` (the first i records of the target). */
  states: LabelledState[];
  /** WAL fixtures: the target's records in order (record i takes prefix:i to prefix:i+1). */
  walRecords: LogRecordSpan[];
  /** Named byte ranges of the target, for the per-region figures. */
  regions: Region[];
  /** Engine files of the image (names inside DIR). */
  files: string[];
  /** Options every open of a damaged copy uses (walRecoveryMode is added per sweep). */
  options: Partial<Options>;
}

/** Small caches and memtables: an open of a damaged copy costs well under a millisecond. */
export function baseOptions(fs: MemoryFileSystem): Partial<Options> {
  return {
    fileSystem: fs,
    backgroundThreads: 0,
    memtableSize: 64 * 1024,
    blockCacheSize: 64 * 1024,
    blockSize: 256,
    restartInterval: 4,
    level0CompactionTrigger: 1000,
    level0SlowdownTrigger: 1000,
    level0StopTrigger: 1000,
  };
}

type Op = { put: [string, string] } | { del: string } | { batch: Op[] };

function apply(model: Map<string, string>, op: Op): void {
  if ('put' in op) model.set(op.put[0], op.put[1]);
  else if ('del' in op) model.delete(op.del);
  else for (const o of op.batch) apply(model, o);
}

async function write(db: GraniteDB, op: Op): Promise<void> {
  if ('put' in op) await db.put(op.put[0], op.put[1], { sync: true });
  else if ('del' in op) await db.delete(op.del, { sync: true });
  else {
    const b = new WriteBatch();
    for (const o of op.batch) {
      if ('put' in o) b.put(o.put[0], o.put[1]);
      else if ('del' in o) b.delete(o.del);
    }
    await db.write(b, { sync: true });
  }
}

function keysOf(ops: Op[], extra: string[]): string[] {
  const s = new Set(extra);
  const visit = (op: Op): void => {
    if ('put' in op) s.add(op.put[0]);
    else if ('del' in op) s.add(op.del);
    else op.batch.forEach(visit);
  };
  ops.forEach(visit);
  return [...s].sort();
}

function prefixStates(ops: Op[], label: (i: number) => string, start: Model = new Map()): LabelledState[] {
  const m = new Map(start);
  const out: LabelledState[] = [{ label: label(0), model: new Map(m) }];
  ops.forEach((op, i) => {
    apply(m, op);
    out.push({ label: label(i + 1), model: new Map(m) });
  });
  return out;
}

function namesIn(fs: MemoryFileSystem, suffix: string): string[] {
  return fs
    .list(DIR)
    .filter((n) => n.endsWith(suffix))
    .sort();
}

/** Runs `ops` (one synced write, so one WAL record, each; no flush) on a new database and closes it. */
async function imageOf(ops: Op[]): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, { ...baseOptions(fs), memtableSize: 1024 * 1024 });
  for (const op of ops) await write(db, op);
  await db.close();
  return fs;
}

function fixtureBase(
  name: FixtureName,
  structure: Structure,
  image: MemoryFileSystem,
  target: string,
): Pick<Fixture, 'name' | 'structure' | 'image' | 'target' | 'bytes' | 'files' | 'options'> {
  return {
    name,
    structure,
    image,
    target,
    bytes: image.readFile(join(DIR, target)),
    files: image.list(DIR).filter((n) => n !== 'LOCK'),
    options: baseOptions(image),
  };
}

function recordRegions(records: LogRecordSpan[]): Region[] {
  return records.map((r, i) => ({ name: `record ${i}`, start: r.offset, end: r.end }));
}

// ------------------------------------------------------------------ WAL fixtures

const WAL_OPS: Op[] = [
  { put: ['apple', 'red'] },
  {
    batch: [{ put: ['banana', 'yellow'] }, { put: ['cherry', 'dark red'] }, { del: 'apple' }],
  },
  { put: ['date', ''] },
  { del: 'banana' },
  { put: ['elder', 'e'.repeat(300)] },
  { put: ['cherry', 'black'] },
];
const ABSENT = ['aardvark', 'zz-never-written'];

async function walFixture(): Promise<Fixture> {
  const image = await imageOf(WAL_OPS);
  const [wal] = namesIn(image, '.log');
  assert.ok(wal !== undefined);
  const base = fixtureBase('wal', 'wal', image, wal);
  const walRecords = recordsOf(base.bytes);
  assert.deepEqual(
    walRecords.map((r) => r.fragments.map((f) => f.type)),
    WAL_OPS.map(() => [1]),
  );
  const states = prefixStates(WAL_OPS, (i) => (i === WAL_OPS.length ? 'final' : `prefix:${i}`));
  return {
    ...base,
    keys: keysOf(WAL_OPS, ABSENT),
    states,
    walRecords,
    regions: recordRegions(walRecords),
  };
}

/** Payload bytes of a WAL record holding one put (batch header, kind, two varint lengths, key, value). */
function putPayload(key: string, valueLength: number): number {
  const varint = (n: number): number => (n < 128 ? 1 : n < 16384 ? 2 : 3);
  return 12 + 1 + varint(key.length) + key.length + varint(valueLength) + valueLength;
}

/** Value length whose put record, starting at `at` in a block, leaves exactly `left` bytes in the block. */
function valueLengthLeaving(key: string, at: number, left: number): number {
  const want = 32768 - at - left - 7; // payload of one Full fragment
  for (let v = want; v > 0; v--) if (putPayload(key, v) === want) return v;
  throw new Error('no value length fits');
}

async function walBlocksFixture(): Promise<Fixture> {
  const r0Len = 7 + putPayload('a0', 5);
  const ops: Op[] = [
    { put: ['a0', 'small'] },
    // Ends 7 bytes before the end of block 0: the next record starts with a header-only First fragment.
    { put: ['a1', 'f'.repeat(valueLengthLeaving('a1', r0Len, 7))] },
    // First (empty) at the end of block 0, Middle filling block 1, Last in block 2.
    { put: ['big', 'b'.repeat(32761 + 120)] },
    { put: ['after1', 'v1'] },
    { batch: [{ del: 'a1' }, { put: ['after2', 'v2'] }] },
  ];
  const image = await imageOf(ops);
  const [wal] = namesIn(image, '.log');
  assert.ok(wal !== undefined);
  const base = fixtureBase('wal-blocks', 'wal', image, wal);
  const walRecords = recordsOf(base.bytes);
  assert.deepEqual(
    walRecords.map((r) => r.fragments.map((f) => f.type)),
    [[1], [1], [2, 3, 4], [1], [1]],
  );
  assert.equal(walRecords[2]!.fragments[0]!.length, 0, 'header-only First fragment');
  return {
    ...base,
    keys: keysOf(ops, ABSENT),
    states: prefixStates(ops, (i) => (i === ops.length ? 'final' : `prefix:${i}`)),
    walRecords,
    regions: recordRegions(walRecords),
  };
}

/**
 * The `wal` image plus a newer WAL (number 900) holding two later records, as a crash after a WAL rotation
 * leaves it (the older WAL fully synced before the newer one took writes). The newer WAL's bytes are the
 * Full fragments of those records cut from the WAL of a database that ran all eight writes.
 */
async function walPairFixture(): Promise<Fixture> {
  const later: Op[] = [
    { put: ['fig', 'purple'] },
    { batch: [{ del: 'cherry' }, { put: ['apple', 'green'] }] },
  ];
  const image = await imageOf(WAL_OPS);
  const [older] = namesIn(image, '.log');
  assert.ok(older !== undefined);
  const all = await imageOf([...WAL_OPS, ...later]);
  const [allWal] = namesIn(all, '.log');
  const allBytes = all.readFile(join(DIR, allWal!));
  const allRecords = recordsOf(allBytes);
  const newer = '000900.log';
  writeMemFile(image, join(DIR, newer), allBytes.subarray(allRecords[WAL_OPS.length]!.offset));
  const base = fixtureBase('wal-pair', 'older-wal', image, older);
  const walRecords = recordsOf(base.bytes);
  // States: the first i records of the older WAL, then both later records ("prefix:i+newer").
  const states: LabelledState[] = [];
  for (const s of prefixStates(WAL_OPS, (i) => `prefix:${i}`)) {
    const m = new Map(s.model);
    later.forEach((op) => apply(m, op));
    states.push({ label: s.label === `prefix:${WAL_OPS.length}` ? 'final' : `${s.label}+newer`, model: m });
  }
  return {
    ...base,
    keys: keysOf([...WAL_OPS, ...later], ABSENT),
    states,
    walRecords,
    regions: recordRegions(walRecords),
  };
}

// ------------------------------------------------------------------ table fixture

async function sstFixture(): Promise<Fixture> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, baseOptions(fs));
  const model = new Map<string, string>();
  const key = (i: number): string => `key${String(i).padStart(3, '0')}`;
  for (let i = 0; i < 60; i++) {
    const v = `v${i}-`.padEnd(4 + ((i * 7) % 23), 'x');
    await db.put(key(i), v);
    model.set(key(i), v);
  }
  const snap = db.snapshot(); // keeps the older versions below in the table
  for (let i = 0; i < 60; i += 4) {
    if (i % 8 === 0) {
      await db.delete(key(i));
      model.delete(key(i));
    } else {
      await db.put(key(i), `new${i}`);
      model.set(key(i), `new${i}`);
    }
  }
  await db.flush();
  snap.release();
  await db.close();
  const [sst] = namesIn(fs, '.sst');
  assert.ok(sst !== undefined);
  const base = fixtureBase('sst', 'sst', fs, sst);
  const regions = sstRegions(base.bytes);
  const kinds = new Set(regions.map((r) => r.name.replace(/ \d+$/, '')));
  assert.deepEqual([...kinds].sort(), ['data', 'filter', 'footer', 'index', 'metaindex', 'properties']);
  assert.ok(regions.filter((r) => r.name.startsWith('data')).length >= 4, 'several data blocks');
  return {
    ...base,
    keys: [...Array.from({ length: 60 }, (_, i) => key(i)), 'key', 'key0305', 'key999', 'aaa', 'zzz'],
    states: [{ label: 'final', model }],
    walRecords: [],
    regions,
  };
}

// ------------------------------------------------------------------ MANIFEST and CURRENT fixtures

/** Two flushes, a compaction of both tables into L1, a third flush and unflushed writes; one session. */
async function manifestImage(): Promise<{
  fs: MemoryFileSystem;
  model: Map<string, string>;
  keys: string[];
}> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, baseOptions(fs));
  const model = new Map<string, string>();
  const keys: string[] = [];
  let n = 0;
  const round = async (count: number, del: boolean): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const k = `m${String((n * 7) % 41).padStart(2, '0')}`;
      if (!keys.includes(k)) keys.push(k);
      if (del && i % 3 === 0) {
        await db.delete(k);
        model.delete(k);
      } else {
        const v = `r${n}`;
        await db.put(k, v);
        model.set(k, v);
      }
      n++;
    }
  };
  await round(12, false);
  await db.flush();
  await round(12, true);
  await db.flush();
  await db.compactRange();
  await round(8, true);
  await db.flush();
  await round(4, true);
  await db.close();
  return { fs, model, keys: [...keys, 'a', 'm', 'm99', 'zz'].sort() };
}

async function manifestFixture(): Promise<Fixture> {
  const { fs, model, keys } = await manifestImage();
  const [manifest] = namesIn(fs, '').filter((n) => n.startsWith('MANIFEST-'));
  assert.ok(manifest !== undefined);
  const base = fixtureBase('manifest', 'manifest', fs, manifest);
  const records = recordsOf(base.bytes);
  assert.ok(records.length >= 6, `MANIFEST holds ${records.length} records`);
  return {
    ...base,
    keys,
    states: [{ label: 'final', model }],
    walRecords: [],
    regions: recordRegions(records),
  };
}

async function currentFixture(): Promise<Fixture> {
  const { fs, model, keys } = await manifestImage();
  const base = fixtureBase('current', 'current', fs, 'CURRENT');
  assert.match(base.bytes.toString('latin1'), /^MANIFEST-\d{6}\n$/);
  return {
    ...base,
    keys,
    states: [{ label: 'final', model }],
    walRecords: [],
    regions: [{ name: 'CURRENT', start: 0, end: base.bytes.length }],
  };
}

const BUILDERS: Record<FixtureName, () => Promise<Fixture>> = {
  wal: walFixture,
  'wal-blocks': walBlocksFixture,
  'wal-pair': walPairFixture,
  sst: sstFixture,
  manifest: manifestFixture,
  current: currentFixture,
};

/** Builds a fixture. Deterministic: the same bytes on every call, in any thread. */
export function buildFixture(name: FixtureName): Promise<Fixture> {
  return BUILDERS[name]();
}

/** A damaged copy of the fixture's image: `edit` gets a copy of the target's bytes (null: remove it). */
export function damagedCopy(f: Fixture, edit: (b: Buffer) => Buffer | null): MemoryFileSystem {
  const fs = copyMemoryFs(f.image, DIR);
  const bytes = edit(Buffer.from(f.bytes));
  if (bytes === null) fs.unlink(join(DIR, f.target));
  else writeMemFile(fs, join(DIR, f.target), bytes);
  return fs;
}
