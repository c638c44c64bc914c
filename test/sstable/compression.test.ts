// Block compression (docs/format.md "Block contents and trailer", ADR 0009): the codecs round-trip, a block
// is stored compressed only when that saves 12.5%, the CRC covers the stored bytes, damaged compressed
// blocks are CorruptionError with file and offset, and the engine reads what it wrote under every codec,
// through the cache, around it, in compactions on worker threads and after reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptionError, GraniteDB, WriteBatch, type CompressionName } from '../../src/index.js';
import { Codec } from '../../src/format/sstable.js';
import { compressBlock, decompressBlock } from '../../src/sstable/compression.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const CODECS: CompressionName[] = ['snappy', 'lz4'];
const CODEC_ID = { snappy: Codec.Snappy, lz4: Codec.Lz4 } as const;

/** 100-byte values that compress (a few distinct bytes), like db_bench's compressible values. */
function compressibleValue(i: number): string {
  return `value-${i}-`.padEnd(100, String.fromCharCode(97 + (i % 7)));
}

for (const name of CODECS) {
  const codec = CODEC_ID[name as 'snappy' | 'lz4'];

  test(`${name}: a compressible block round-trips and is stored smaller`, () => {
    const contents = Buffer.from('abcdefgh'.repeat(512));
    const stored = compressBlock(codec, contents);
    assert.ok(stored !== undefined && stored.length < contents.length / 4);
    assert.deepEqual(decompressBlock(codec, stored, 'x.sst', 0), contents);
  });

  test(`${name}: a block that saves less than 12.5% is stored uncompressed`, () => {
    const random = Buffer.alloc(4096);
    let x = 0x9e3779b9; // xorshift32: incompressible, and the same bytes every run
    for (let i = 0; i < random.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      random[i] = x & 0xff;
    }
    assert.equal(compressBlock(codec, random), undefined);
  });

  test(`${name}: garbage and lying length prefixes are CorruptionError with file and offset`, () => {
    const stored = compressBlock(codec, Buffer.from('hello world '.repeat(100)))!;
    const damaged = Buffer.from(stored);
    damaged[damaged.length - 3]! ^= 0xff;
    damaged[damaged.length - 7]! ^= 0x55;
    const lying = Buffer.from(stored);
    if (codec === Codec.Lz4) lying.writeUInt32LE(0xfffffff0, 0);
    else lying.set([0xff, 0xff, 0xff, 0xff, 0x0f], 0);
    for (const bad of [damaged, lying, Buffer.alloc(0), Buffer.from([0x80])]) {
      try {
        const out = decompressBlock(codec, bad, '000007.sst', 4242);
        // A damaged stream may still decode; it must then decode to exactly the claimed length.
        assert.ok(out.length <= bad.length * 255 + 64);
      } catch (err) {
        assert.ok(err instanceof CorruptionError, `expected CorruptionError, got ${String(err)}`);
        assert.equal(err.file, '000007.sst');
        assert.equal(err.offset, 4242);
      }
    }
    assert.throws(() => decompressBlock(codec, lying, 'f.sst', 1), CorruptionError);
  });

  test(`${name}: the engine reads back every key from compressed tables, cached and uncached, after reopen`, async () => {
    for (const blockCacheSize of [0, 1 << 20]) {
      const fs = new MemoryFileSystem();
      const opts = { fileSystem: fs, compression: name, memtableSize: 64 * 1024, blockCacheSize };
      const db = await GraniteDB.open('/db', opts);
      const N = 3000;
      const b = new WriteBatch();
      for (let i = 0; i < N; i += 100) {
        b.clear();
        for (let j = i; j < i + 100; j++) b.put(`key${String(j).padStart(6, '0')}`, compressibleValue(j));
        await db.write(b);
      }
      await db.delete('key000010');
      await db.flush();
      const check = (d: GraniteDB): void => {
        for (let i = 0; i < N; i++) {
          const v = d.getSync(`key${String(i).padStart(6, '0')}`);
          if (i === 10) assert.equal(v, undefined);
          else assert.equal(v?.toString(), compressibleValue(i), `key ${i}`);
        }
        let n = 0;
        for (const [k, v] of d.iterator({ gte: 'key001000', lt: 'key002000' })) {
          assert.equal(v!.toString(), compressibleValue(Number(k!.toString().slice(3))));
          n++;
        }
        assert.equal(n, 1000);
      };
      check(db);
      const tables = fs.list('/db').filter((f) => f.endsWith('.sst'));
      const sstBytes = tables.reduce((sum, f) => sum + fs.size(`/db/${f}`), 0);
      assert.ok(sstBytes < N * 100 * 0.6, `tables hold ${sstBytes} bytes for ${N * 100} value bytes`);
      await db.close();
      const again = await GraniteDB.open('/db', { fileSystem: fs, blockCacheSize });
      check(again); // the codec is read from each block's trailer, whatever the option now says
      await again.close();
    }
  });

  test(`${name}: worker-thread compactions write compressed outputs that read back`, async () => {
    const dir = makeTempDir(`granite-${name}-`);
    try {
      const db = await GraniteDB.open(dir, {
        compression: name,
        memtableSize: 32 * 1024,
        level0CompactionTrigger: 2,
        targetFileSize: 64 * 1024,
        backgroundThreads: 1,
      });
      const N = 6000;
      const b = new WriteBatch();
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < N; i += 200) {
          b.clear();
          for (let j = i; j < i + 200; j++) {
            const k = (j * 7919) % N;
            b.put(`key${String(k).padStart(6, '0')}`, compressibleValue(k + round));
          }
          await db.write(b);
        }
      }
      await db.flush();
      await db.compactRange();
      await db.waitForCompaction();
      const st = db.stats();
      assert.ok(st.counters.compactions > 0, 'compactions ran');
      for (let i = 0; i < N; i++) {
        assert.equal(db.getSync(`key${String(i).padStart(6, '0')}`)?.toString(), compressibleValue(i + 1));
      }
      await db.close();
    } finally {
      removeDir(dir);
    }
  });

  test(`${name}: a flipped byte in a compressed data block is CorruptionError naming the table and block`, async () => {
    const dir = makeTempDir(`granite-${name}-damage-`);
    try {
      const db = await GraniteDB.open(dir, { compression: name, blockCacheSize: 0 });
      const b = new WriteBatch();
      for (let i = 0; i < 500; i++) b.put(`key${String(i).padStart(6, '0')}`, compressibleValue(i));
      await db.write(b);
      await db.flush();
      await db.close();
      const sst = readdirSync(dir).find((f) => f.endsWith('.sst'))!;
      const bytes = readFileSync(join(dir, sst));
      bytes[20]! ^= 0x01; // inside the first data block
      writeFileSync(join(dir, sst), bytes);
      const again = await GraniteDB.open(dir, { blockCacheSize: 0 });
      try {
        assert.throws(
          () => again.getSync('key000000'),
          (err: unknown) => err instanceof CorruptionError && err.file === sst && err.offset === 0,
        );
      } finally {
        await again.close();
      }
    } finally {
      removeDir(dir);
    }
  });
}

test('an unknown compression name is INVALID_ARGUMENT and changes nothing', async () => {
  const fs = new MemoryFileSystem();
  await assert.rejects(
    GraniteDB.open('/db', { fileSystem: fs, compression: 'zstd' as CompressionName }),
    (err: unknown) => (err as { code?: string }).code === 'INVALID_ARGUMENT',
  );
  assert.equal(fs.exists('/db'), false);
});
