// Regression test for a case the table fuzzer found ("table footer handle past the file"): a footer whose
// checksum holds but whose index or metaindex handle points past the data (bytes cut from the middle of a
// table, or a handle rewritten with its footer CRC) was reported as CorruptionError at the offset the handle
// claimed, a position outside the file. It is now reported at the footer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CorruptionError, GraniteDB } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { maskedCrc } from '../../src/util/checksum.js';
import { putFixed32, putFixed64 } from '../../src/util/coding.js';
import { writeMemFile } from '../../src/testing/index.js';

const DIR = '/db';
const FOOTER = 40;

async function oneTable(): Promise<{ fs: MemoryFileSystem; name: string; bytes: Buffer }> {
  const fs = new MemoryFileSystem();
  const db = await GraniteDB.open(DIR, { fileSystem: fs, backgroundThreads: 0, blockSize: 256 });
  for (let i = 0; i < 200; i++)
    await db.put(`key${String(i).padStart(4, '0')}`, `value-${i}`.padEnd(60, '.'));
  await db.flush();
  await db.close();
  const name = fs.list(DIR).find((n) => n.endsWith('.sst'))!;
  return { fs, name, bytes: fs.readFile(join(DIR, name)) };
}

function openReader(fs: MemoryFileSystem, name: string): TableReader {
  const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
  return TableReader.open(fs.openRead(join(DIR, name)), 1, name, undefined, counters);
}

function expectCorruptionInside(fn: () => unknown, name: string, size: number, at: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CorruptionError, `CorruptionError, got ${String(err)}`);
    assert.equal(err.file, name);
    assert.ok(err.offset >= 0 && err.offset <= size, `offset ${err.offset} inside the file of ${size} bytes`);
    assert.equal(err.offset, at);
    return true;
  });
}

for (const [what, at] of [
  ['metaindex', 0],
  ['index', 12],
] as const) {
  test(`fuzz table-footer #1 (seed 1): a footer ${what} handle past the file (footer CRC intact) is CorruptionError at the footer`, async () => {
    const { fs, name, bytes } = await oneTable();
    const b = Buffer.from(bytes);
    const footerAt = b.length - FOOTER;
    putFixed64(b, footerAt + at, b.length + 1000);
    putFixed32(b, footerAt + 28, maskedCrc(b, footerAt, footerAt + 28));
    writeMemFile(fs, join(DIR, name), b);
    expectCorruptionInside(() => openReader(fs, name), name, b.length, footerAt);
  });
}

test('fuzz table-footer #1 (seed 1), as a file: a table with bytes cut from its middle, footer kept, is CorruptionError at the footer', async () => {
  const { fs, name, bytes } = await oneTable();
  const cut = Buffer.concat([bytes.subarray(0, 100), bytes.subarray(bytes.length - FOOTER)]);
  writeMemFile(fs, join(DIR, name), cut);
  expectCorruptionInside(() => openReader(fs, name), name, cut.length, cut.length - FOOTER);
  // Through the engine too: a read that opens the table reports the same, never a value.
  const db = await GraniteDB.open(DIR, { fileSystem: fs, backgroundThreads: 0 });
  try {
    await assert.rejects(
      db.get('key0001'),
      (err: unknown) => err instanceof CorruptionError && err.file === name,
    );
  } finally {
    await db.close();
  }
});
