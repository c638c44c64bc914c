// Working buffers reused across jobs (ADR 0017): a table built in buffers another build gave back is byte for
// byte the table built in fresh memory, and a compaction's input iterator, reading many blocks per read through
// a window, returns every entry and reports a damaged block at that block's offset; it opens its table without
// reading the filter, which a scan never consults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptionError } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { TableBuilder, type TableBuilderOptions } from '../../src/sstable/table-builder.js';
import { TableIterator } from '../../src/sstable/table-iterator.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { READ_WINDOW_BYTES } from '../../src/sstable/read-window.js';
import { LookupResult } from '../../src/keys/lookup-result.js';
import { bloomHash } from '../../src/util/bloom.js';

const OPTS: TableBuilderOptions = {
  blockSize: 4096,
  restartInterval: 16,
  bloomBitsPerKey: 10,
  compression: 'none',
};
const key = (i: number): string => `key${String(i).padStart(7, '0')}`;
const counters = () => ({ blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 });

/** Entry i's value: `size(i)` bytes that depend on i and `salt`. */
function value(i: number, salt: number, size: number): Buffer {
  const v = Buffer.alloc(size);
  for (let j = 0; j < size; j++) v[j] = (i * 31 + j * 7 + salt) & 0xff;
  return v;
}

function build(
  fs: MemoryFileSystem,
  path: string,
  n: number,
  salt: number,
  size: (i: number) => number,
): Buffer {
  const file = fs.create(path);
  const b = new TableBuilder(file, OPTS);
  for (let i = 0; i < n; i++) {
    const v = value(i, salt, size(i));
    b.add(key(i), (i + 1) * 256 + 1, v, 0, v.length);
  }
  b.finish();
  b.release();
  file.close();
  return fs.readFile(path);
}

/** Builds /t/1.sst (5000 entries of 120 bytes), then /t/2.sst: the same bytes with one bit flipped at the
 *  offset `where` picks from table 1's block offsets and sizes. Returns that offset. */
function damagedCopy(
  fs: MemoryFileSystem,
  salt: number,
  where: (t: TableReader) => number,
  bit: number,
): number {
  fs.mkdir('/t');
  const bytes = build(fs, '/t/1.sst', 5000, salt, () => 120);
  const probe = TableReader.open(fs.openRead('/t/1.sst'), 1, '1.sst', undefined, counters());
  const at = where(probe);
  probe.unref();
  const damaged = Buffer.from(bytes);
  damaged[at + 10]! ^= bit;
  const file = fs.create('/t/2.sst');
  file.append(damaged);
  file.close();
  return at;
}

test('a table built in buffers an earlier, larger build gave back is the table built before it', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/t');
  // 40,000 keys: hash buffer of 160 KB and an index block past 8 KiB, both in scratch memory.
  const first = build(fs, '/t/1.sst', 40_000, 1, () => 100);
  build(fs, '/t/2.sst', 90_000, 2, (i) => 50 + (i % 90)); // other bytes in every reused buffer
  const again = build(fs, '/t/3.sst', 40_000, 1, () => 100);
  assert.ok(again.equals(first));
  // And that table is right: its filter and index find every key with its value.
  const reader = TableReader.open(fs.openRead('/t/3.sst'), 3, '3.sst', undefined, counters());
  const out: { value: Buffer | undefined } = { value: undefined };
  for (let i = 0; i < 40_000; i++) {
    const found = reader.get(key(i), Number.MAX_SAFE_INTEGER, bloomHash(key(i)), out);
    assert.equal(found, LookupResult.Found, key(i));
    assert.ok(out.value!.equals(value(i, 1, 100)), key(i));
  }
  reader.unref();
});

test('the compaction iterator reads every entry through its read window, blocks larger than the window too', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/t');
  const n = 6000;
  // Every 1000th value is larger than a whole window: its block is read on its own.
  const size = (i: number): number => (i % 1000 === 999 ? READ_WINDOW_BYTES + 1000 : 120);
  build(fs, '/t/1.sst', n, 3, size);
  const c = counters();
  const reader = TableReader.open(fs.openRead('/t/1.sst'), 1, '1.sst', undefined, c);
  const it = new TableIterator(reader);
  it.seekToFirst();
  for (let i = 0; i < n; i++, it.next()) {
    assert.ok(it.valid(), `entry ${i}`);
    assert.equal(it.key(), key(i));
    const v = it.valueData().subarray(it.valueOffset(), it.valueOffset() + it.valueLength());
    assert.ok(v.equals(value(i, 3, size(i))), `value ${i}`);
  }
  assert.equal(it.valid(), false);
  assert.ok(c.blockReads < reader.blockCount / 4, `${c.blockReads} reads for ${reader.blockCount} blocks`);
  it.close();
  reader.unref();
});

test('a damaged block read through the window is CorruptionError at that block, never wrong data', () => {
  const fs = new MemoryFileSystem();
  const at = damagedCopy(fs, 4, (t) => t.blockOffsets[Math.floor(t.blockCount / 2)]!, 0x40);
  const reader = TableReader.open(fs.openRead('/t/2.sst'), 2, '2.sst', undefined, counters());
  const it = new TableIterator(reader);
  let seen = 0;
  assert.throws(
    () => {
      for (it.seekToFirst(); it.valid(); it.next()) {
        assert.equal(it.key(), key(seen));
        seen++;
      }
    },
    (err: unknown) => err instanceof CorruptionError && err.file === '2.sst' && err.offset === at,
  );
  assert.ok(seen > 0, 'the blocks before the damaged one were read');
  it.close();
  reader.unref();
});

test('a compaction input opens without reading its filter: a damaged filter fails a point-lookup open, not a scan', () => {
  const fs = new MemoryFileSystem();
  // The filter is written right after the last data block and its 5-byte trailer.
  const last = (t: TableReader): number => t.blockCount - 1;
  const filterAt = damagedCopy(fs, 5, (t) => t.blockOffsets[last(t)]! + t.blockSizes[last(t)]! + 5, 0x01);
  assert.throws(
    () => TableReader.open(fs.openRead('/t/2.sst'), 2, '2.sst', undefined, counters()),
    (err: unknown) => err instanceof CorruptionError && err.offset === filterAt,
  );
  const reader = TableReader.openForScan(fs.openRead('/t/2.sst'), 2, '2.sst', counters());
  assert.equal(reader.hasFilter, false);
  const it = new TableIterator(reader);
  let n = 0;
  for (it.seekToFirst(); it.valid(); it.next()) assert.equal(it.key(), key(n++));
  assert.equal(n, 5000);
  it.close();
  reader.unref();
});

test('expectedKeys: the key-hash array is taken once at that size instead of grown through every smaller one; the table is the same', async () => {
  const { dropScratch, scratchBytes } = await import('../../src/util/scratch.js');
  /** Builds a table of n keys in a thread whose scratch pool starts empty; returns it and what the pool holds. */
  const tableOf = (opts: TableBuilderOptions, n: number): { bytes: Buffer; pooled: number } => {
    dropScratch();
    const fs = new MemoryFileSystem();
    fs.mkdir('/t');
    const file = fs.create('/t/1.sst');
    const b = new TableBuilder(file, opts);
    for (let i = 0; i < n; i++) {
      const v = value(i, 3, 20);
      b.add(key(i), (i + 1) * 256 + 1, v, 0, v.length);
    }
    b.finish();
    b.release();
    file.close();
    return { bytes: fs.readFile('/t/1.sst'), pooled: scratchBytes() };
  };
  const n = 100_000; // 400 KB of key hashes: a 512 KiB buffer, reached by doubling through 64, 128 and 256 KiB
  const grown = tableOf(OPTS, n);
  const sized = tableOf({ ...OPTS, expectedKeys: n }, n);
  const underestimated = tableOf({ ...OPTS, expectedKeys: n / 4 }, n);
  assert.ok(sized.bytes.equals(grown.bytes), 'same table');
  assert.ok(underestimated.bytes.equals(grown.bytes), 'same table after growing past the guess');
  // The 64 KiB rung may be taken again by the index block as it grows, so only the larger rungs are sure.
  assert.ok(grown.pooled - sized.pooled >= (128 + 256) * 1024, `${grown.pooled} vs ${sized.pooled}`);
  assert.ok(underestimated.pooled > sized.pooled, 'a low guess grows from there');
  const noFilter = tableOf({ ...OPTS, bloomBitsPerKey: 0, expectedKeys: n }, n);
  assert.equal(sized.pooled - noFilter.pooled, 512 * 1024, 'no hash buffer without a filter');
});
