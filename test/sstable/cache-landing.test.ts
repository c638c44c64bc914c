// Block reads for the cache land in one shared buffer and are copied to their slot (ADR 0020): every value read
// through the cache is the value written, whatever the order of small and large blocks (the buffer grows past
// its first 64 KiB and later reads copy only their own bytes); a damaged block is a CorruptionError at its
// offset each time it is read, and is never cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptionError } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { TableBuilder } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { BlockCache } from '../../src/sstable/block-cache.js';
import { LookupResult } from '../../src/keys/lookup-result.js';
import { bloomHash } from '../../src/util/bloom.js';

const key = (i: number): string => `key${String(i).padStart(5, '0')}`;
const counters = () => ({ blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 });
/** Every 50th entry is 100 KiB (a block of its own, larger than the landing buffer's first size); others 90 B. */
const size = (i: number): number => (i % 50 === 25 ? 100 * 1024 : 90);
const value = (i: number, salt = 0): Buffer => {
  const v = Buffer.alloc(size(i));
  for (let j = 0; j < v.length; j++) v[j] = (i * 13 + j * 5 + salt) & 0xff;
  return v;
};

function buildTable(fs: MemoryFileSystem, path: string, n: number, salt: number): Buffer {
  const file = fs.create(path);
  const b = new TableBuilder(file, {
    blockSize: 4096,
    restartInterval: 16,
    bloomBitsPerKey: 10,
    compression: 'none',
  });
  for (let i = 0; i < n; i++) {
    const v = value(i, salt);
    b.add(key(i), (i + 1) * 256 + 1, v, 0, v.length);
  }
  b.finish();
  b.release();
  file.close();
  return fs.readFile(path);
}

function lookup(reader: TableReader, i: number): Buffer | undefined {
  const out: { value: Buffer | undefined } = { value: undefined };
  const r = reader.get(key(i), Number.MAX_SAFE_INTEGER, bloomHash(key(i)), out);
  return r === LookupResult.Found ? out.value : undefined;
}

test('values read through the cache, small and large blocks interleaved, are the values written', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/t');
  const n = 600;
  buildTable(fs, '/t/a.sst', n, 1);
  buildTable(fs, '/t/b.sst', n, 2);
  // Two tables read in turn through one small cache (512 KiB): blocks are evicted and read again.
  const cache = new BlockCache(512 * 1024);
  const a = TableReader.open(fs.openRead('/t/a.sst'), 1, 'a.sst', cache, counters());
  const b = TableReader.open(fs.openRead('/t/b.sst'), 2, 'b.sst', cache, counters());
  let x = 7;
  for (let round = 0; round < 3000; round++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const i = x % n;
    const [reader, salt] = round % 2 === 0 ? [a, 1] : [b, 2];
    assert.deepEqual(lookup(reader, i), value(i, salt), `table ${salt} key ${i} (round ${round})`);
  }
  assert.ok(cache.hits > 0 && cache.misses > 0, 'both hits and misses happened');
  a.unref();
  b.unref();
});

test('a damaged block read through the cache fails each time at its offset and is not cached', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/t');
  const bytes = buildTable(fs, '/t/a.sst', 200, 3);
  const probe = TableReader.open(fs.openRead('/t/a.sst'), 1, 'a.sst', undefined, counters());
  const block = probe.findBlock(key(100), Number.MAX_SAFE_INTEGER);
  const at = probe.blockOffsets[block]!;
  probe.unref();
  const damaged = Buffer.from(bytes);
  damaged[at + 20]! ^= 0x10;
  const file = fs.create('/t/d.sst');
  file.append(damaged);
  file.close();

  const cache = new BlockCache(1024 * 1024);
  const c = counters();
  const reader = TableReader.open(fs.openRead('/t/d.sst'), 2, 'd.sst', cache, c);
  // A good block first, so the damaged one is not the first read into the cache.
  assert.deepEqual(lookup(reader, 0), value(0, 3));
  for (let attempt = 0; attempt < 2; attempt++) {
    const reads = c.blockReads;
    assert.throws(
      () => lookup(reader, 100),
      (err: unknown) => err instanceof CorruptionError && err.file === 'd.sst' && err.offset === at,
      `attempt ${attempt}`,
    );
    assert.equal(c.blockReads, reads + 1, `attempt ${attempt} read the block from the file, not the cache`);
  }
  // The blocks around it still read right, from the cache and from the file.
  for (const i of [0, 1, 199, 198, 0]) assert.deepEqual(lookup(reader, i), value(i, 3), `key ${i}`);
  reader.unref();
});
