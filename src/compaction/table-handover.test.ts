// runCompaction hands over the parsed index and filter of its outputs (ADR 0014), each matching the table it
// wrote, and stops handing over once the result carries its budget of bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../fs/memory-fs.js';
import { TableBuilder } from '../sstable/table-builder.js';
import { TableReader } from '../sstable/table-reader.js';
import { tableFileName } from '../format/filenames.js';
import { fileMetaOf } from '../version/file-meta.js';
import { runCompaction } from './run.js';
import type { CompactionJob } from './task.js';
import { handoverBuffers, handoverBytes, localCopies, preparsedOf } from './table-handover.js';

const DIR = '/db';
const TABLE = { blockSize: 256, restartInterval: 4, bloomBitsPerKey: 10, compression: 'none' as const };
const key = (i: number): string => `key${String(i).padStart(5, '0')}`;

function inputTable(fs: MemoryFileSystem, fileNum: number, from: number, seq: number) {
  const file = fs.create(`${DIR}/${tableFileName(fileNum)}`);
  const b = new TableBuilder(file, TABLE);
  const v = Buffer.alloc(100, fileNum);
  for (let i = from; i < 2000; i += 2) b.add(key(i), (seq + i) * 256 + 1, v, 0, v.length);
  const props = b.finish();
  file.close();
  return fileMetaOf(fileNum, props);
}

function job(fs: MemoryFileSystem): CompactionJob {
  fs.mkdir(DIR);
  const a = inputTable(fs, 1, 0, 10_000);
  const b = inputTable(fs, 2, 1, 20_000);
  return {
    task: {
      level: 0,
      outputLevel: 1,
      inputs: [[a, b], []],
      grandparents: [],
      bottommost: true,
      reason: 'manual',
      targetFileSize: 64 * 1024,
    },
    dir: DIR,
    outputNumbers: [10, 11, 12, 13, 14, 15, 16, 17],
    smallestSnapshot: 0,
    ...TABLE,
    rateLimit: 0,
  };
}

const counters = () => ({ blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 });

test('every output comes with its parsed index and filter', async () => {
  const fs = new MemoryFileSystem();
  const r = await runCompaction(job(fs), { fs });
  assert.ok(r.outputs.length >= 3, `${r.outputs.length} outputs`);
  assert.deepEqual(
    r.tables?.map((t) => t.fileNum),
    r.outputs.map((m) => m.fileNum),
  );
  for (const h of r.tables!) {
    const name = tableFileName(h.fileNum);
    const fromFile = TableReader.open(fs.openRead(`${DIR}/${name}`), h.fileNum, name, undefined, counters());
    // As the main thread takes a hand-over from a worker: a copy in its own memory, the original freed.
    const originals = handoverBuffers([h]);
    const bytes = handoverBytes(h);
    const [local] = localCopies([h]);
    assert.ok(
      originals.every((ab) => ab.byteLength === 0),
      'the transferred arrays are freed',
    );
    assert.equal(handoverBytes(local!), bytes, 'the copy holds every byte');
    const handed = TableReader.open(
      fs.openRead(`${DIR}/${name}`),
      h.fileNum,
      name,
      undefined,
      counters(),
      preparsedOf(local!),
    );
    try {
      assert.equal(handed.blockCount, fromFile.blockCount);
      assert.deepEqual([...handed.blockOffsets], [...fromFile.blockOffsets]);
      assert.deepEqual(handed.filterContents, fromFile.filterContents);
      for (let i = 0; i < fromFile.blockCount; i++) assert.equal(handed.index.key(i), fromFile.index.key(i));
      for (let i = 0; i < 2000; i += 97) {
        assert.equal(handed.findBlock(key(i), 2 ** 40), fromFile.findBlock(key(i), 2 ** 40), key(i));
      }
    } finally {
      fromFile.unref();
      handed.unref();
    }
  }
});

test('a result stops handing over once it carries its budget', async () => {
  const fs = new MemoryFileSystem();
  const all = await runCompaction(job(fs), { fs });
  const first = handoverBytes(all.tables![0]!);
  const fs2 = new MemoryFileSystem();
  const capped = await runCompaction(job(fs2), { fs: fs2, handoverBudget: first + 1 });
  assert.equal(capped.outputs.length, all.outputs.length);
  assert.deepEqual(
    capped.tables?.map((t) => t.fileNum),
    all.outputs.slice(0, 2).map((m) => m.fileNum),
    'the output that reaches the budget is the last handed over',
  );
  const fs3 = new MemoryFileSystem();
  const none = await runCompaction(job(fs3), { fs: fs3, handoverBudget: 0 });
  assert.equal(none.tables, undefined);
});
