// Valid inputs the mutators start from, built from the seed with the engine's writers (tables through the
// public API on a MemoryFileSystem), together with what they must decode to (the round-trip oracles).
// Deterministic: the same seed gives the same corpus in every thread, so (target, seed, index) replays.
import { join } from 'node:path';
import { GraniteDB, WriteBatch, type CompressionName } from '../../../src/index.js';
import { MemoryFileSystem } from '../../../src/fs/index.js';
import { Rng } from '../../../src/testing/index.js';
import { LogWriter } from '../../../src/wal/log-writer.js';
import { encodeVersionEdit, type VersionEdit } from '../../../src/version/version-edit.js';
import { sstRegions } from '../corruption/layout.js';
import { refDecodeBlock } from './reference.js';

export interface CorpusTable {
  bytes: Buffer;
  /** Every user key (binary string) with its newest value, or null for a deletion. */
  expect: Map<string, string | null>;
}
export interface CorpusBlock {
  contents: Buffer;
  trailers: boolean;
}
export type BatchOp = { kind: 0 | 1; key: Buffer; value: Buffer };
export interface CorpusBatch {
  rep: Buffer;
  seq: number;
  ops: BatchOp[];
}
export interface CorpusLog {
  bytes: Buffer;
  records: Buffer[];
}

export interface Corpus {
  tables: CorpusTable[];
  blocks: CorpusBlock[];
  /** Stored bytes of compressed data blocks (codec 1 snappy, 2 lz4). */
  compressed: { codec: number; stored: Buffer }[];
  properties: [string, Buffer][][];
  logs: CorpusLog[];
  batches: CorpusBatch[];
  edits: { edit: VersionEdit; bytes: Buffer }[];
  /** MANIFEST files: the engine's, and framed random edits whose first one is a snapshot. */
  manifests: Buffer[];
}

const DIR = '/db';

function binaryKey(rng: Rng, i: number): Buffer {
  const tail = rng.bytes(rng.int(6));
  const prefix = rng.pick(['k', 'key-', '\x00', '\xff\xff', 'a/b/c/']);
  const idx = Buffer.alloc(4);
  idx.writeUInt32BE(i);
  return Buffer.concat([Buffer.from(prefix, 'latin1'), idx, tail]);
}

/** One flushed table and the MANIFEST of the session that wrote it (a snapshot, a rotation, a flush). */
interface TableOptions {
  blockSize: number;
  restartInterval: number;
  bloomBitsPerKey: number;
  compression?: CompressionName;
}

/** A value: random bytes, or (for compressed tables) runs that compress well. */
function valueFor(rng: Rng, compressible: boolean): Buffer {
  const n = rng.int(10) === 0 ? 300 + rng.int(3000) : rng.int(40);
  if (!compressible) return rng.bytes(n);
  const unit = rng.bytes(1 + rng.int(6));
  return Buffer.alloc(n, unit);
}

async function buildTable(rng: Rng, opts: TableOptions): Promise<{ table: CorpusTable; manifest: Buffer }> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, {
    fileSystem: fs,
    backgroundThreads: 0,
    memtableSize: 1 << 20,
    blockCacheSize: 0,
    level0CompactionTrigger: 1000,
    level0SlowdownTrigger: 1000,
    level0StopTrigger: 1000,
    ...opts,
  });
  const expect = new Map<string, string | null>();
  const n = 10 + rng.int(120);
  for (let i = 0; i < n; i++) {
    const k = binaryKey(rng, i);
    if (rng.int(6) === 0) {
      await db.delete(k);
      expect.set(k.toString('latin1'), null);
    } else {
      const v = valueFor(rng, opts.compression !== undefined);
      await db.put(k, v);
      expect.set(k.toString('latin1'), v.toString('latin1'));
    }
  }
  await db.flush();
  await db.close();
  const sst = fs.list(DIR).find((x) => x.endsWith('.sst'))!;
  const manifest = fs.list(DIR).find((x) => x.startsWith('MANIFEST-'))!;
  return {
    table: { bytes: fs.readFile(join(DIR, sst)), expect },
    manifest: fs.readFile(join(DIR, manifest)),
  };
}

function framed(records: Buffer[]): Buffer {
  const fs = new MemoryFileSystem();
  const w = new LogWriter(fs.create('/log'));
  for (const r of records) w.addRecord(r);
  return fs.readFile('/log');
}

function randomBatch(rng: Rng): CorpusBatch {
  const b = new WriteBatch();
  const ops: BatchOp[] = [];
  const n = 1 + rng.int(rng.int(4) === 0 ? 40 : 4);
  for (let i = 0; i < n; i++) {
    const key = rng.bytes(1 + rng.int(rng.int(8) === 0 ? 300 : 12));
    if (rng.int(3) === 0) {
      b.delete(key);
      ops.push({ kind: 0, key, value: Buffer.alloc(0) });
    } else {
      const value = rng.bytes(rng.int(rng.int(8) === 0 ? 400 : 20));
      b.put(key, value);
      ops.push({ kind: 1, key, value });
    }
  }
  const rep = b.encodeCopy();
  const seq = 1 + rng.int(2 ** 30);
  rep.writeUInt32LE(seq, 0);
  return { rep, seq, ops };
}

function randomInternalKey(rng: Rng): [string, number] {
  return [rng.bytes(1 + rng.int(20)).toString('latin1'), rng.int(2 ** 40) * 256 + rng.int(2)];
}

function randomEdit(rng: Rng, first: boolean): VersionEdit {
  const e: VersionEdit = {};
  const num = (): number => (rng.int(4) === 0 ? rng.int(2 ** 40) : rng.int(1000));
  if (first || rng.int(6) === 0) e.formatVersion = 1;
  if (rng.int(2) === 0) e.logNumber = num();
  if (rng.int(2) === 0) e.nextFileNumber = num();
  if (rng.int(2) === 0) e.lastSequence = num();
  if (rng.int(3) === 0) e.newWals = Array.from({ length: 1 + rng.int(3) }, num);
  if (rng.int(3) === 0)
    e.deletedFiles = Array.from({ length: 1 + rng.int(3) }, () => ({ level: rng.int(7), fileNum: num() }));
  if (rng.int(2) === 0)
    e.newFiles = Array.from({ length: 1 + rng.int(3) }, () => {
      const [smallestKey, smallestTrailer] = randomInternalKey(rng);
      const [largestKey, largestTrailer] = randomInternalKey(rng);
      return {
        level: rng.int(7),
        meta: {
          fileNum: num(),
          size: num(),
          smallestKey,
          smallestTrailer,
          largestKey,
          largestTrailer,
          smallestSeq: num(),
          largestSeq: num(),
        },
      };
    });
  return e;
}

/** Builds the corpus for `seed` (a few hundred milliseconds: it writes a handful of small databases). */
export async function buildCorpus(seed: number): Promise<Corpus> {
  const rng = new Rng(seed ^ 0x5eed);
  const tableOptions: TableOptions[] = [
    { blockSize: 256, restartInterval: 4, bloomBitsPerKey: 10 },
    { blockSize: 64, restartInterval: 1, bloomBitsPerKey: 0 },
    { blockSize: 1024, restartInterval: 16, bloomBitsPerKey: 3 },
    { blockSize: 4096, restartInterval: 2, bloomBitsPerKey: 20 },
    { blockSize: 128, restartInterval: 3, bloomBitsPerKey: 1 },
    { blockSize: 512, restartInterval: 8, bloomBitsPerKey: 10, compression: 'snappy' },
    { blockSize: 2048, restartInterval: 4, bloomBitsPerKey: 10, compression: 'lz4' },
  ];
  const tables: CorpusTable[] = [];
  const manifests: Buffer[] = [];
  for (const o of tableOptions) {
    const { table, manifest } = await buildTable(rng, o);
    tables.push(table);
    manifests.push(manifest);
  }
  const blocks: CorpusBlock[] = [];
  const compressed: { codec: number; stored: Buffer }[] = [];
  const properties: [string, Buffer][][] = [];
  for (const t of tables) {
    for (const r of sstRegions(t.bytes)) {
      if (r.name === 'footer' || r.name === 'filter') continue;
      const contents = t.bytes.subarray(r.start, r.end - 5);
      const trailers = r.name.startsWith('data') || r.name === 'index';
      const codec = t.bytes[r.end - 5]!;
      if (codec !== 0) {
        compressed.push({ codec, stored: contents });
        continue;
      }
      blocks.push({ contents, trailers });
      if (r.name === 'properties') {
        const b = refDecodeBlock(contents, 0, contents.length, false)!;
        properties.push(
          b.entries.map((e): [string, Buffer] => [
            e.key,
            contents.subarray(e.valueStart, e.valueStart + e.valueLength),
          ]),
        );
      }
    }
  }
  const batches = Array.from({ length: 40 }, () => randomBatch(rng));
  const logs: CorpusLog[] = [];
  for (let i = 0; i < 12; i++) {
    const records: Buffer[] = [];
    const n = 1 + rng.int(8);
    for (let j = 0; j < n; j++) {
      const big = i % 4 === 3 && j === 0; // every fourth log spans blocks
      records.push(big ? rng.bytes(30000 + rng.int(40000)) : rng.pick(batches).rep);
    }
    logs.push({ bytes: framed(records), records });
  }
  const edits: { edit: VersionEdit; bytes: Buffer }[] = [];
  for (let i = 0; i < 40; i++) {
    const edit = randomEdit(rng, false);
    edits.push({ edit, bytes: Buffer.from(encodeVersionEdit(edit)) });
  }
  for (let i = 0; i < 8; i++) {
    const n = 1 + rng.int(6);
    manifests.push(
      framed(Array.from({ length: n }, (_, j) => Buffer.from(encodeVersionEdit(randomEdit(rng, j === 0))))),
    );
  }
  return { tables, blocks, compressed, properties, logs, batches, edits, manifests };
}
