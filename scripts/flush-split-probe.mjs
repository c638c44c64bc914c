// Flush cost split (docs/performance.md, fillseq "Next"): builds a 32 MiB memtable (280k 16-byte keys, 100-byte
// values, in key order or shuffled), then times (a) writeLevel0Table, the whole main-thread flush including
// its fdatasync wait, and (b) what a key-ordered stream to a worker would leave on the main thread: iterating
// the survivors and copying them into 1 MiB chunks (a naive encoding: u32 key length, f64 trailer, u32 value
// length, key, value). Usage: npm run -s build && node scripts/flush-split-probe.mjs [seq|rand]
import { Memtable } from '../dist/src/memtable/memtable.js';
import { WriteBatch } from '../dist/src/batch/write-batch.js';
import { writeLevel0Table } from '../dist/src/compaction/flush-table.js';
import { NodeFileSystem } from '../dist/src/fs/node-fs.js';
import { mkdtempSync, rmSync } from 'node:fs';
const fs = new NodeFileSystem();
const N = 280_000;
const val = Buffer.alloc(100, 7);
const mode = process.argv[2] ?? 'seq';
function build() {
  const mem = new Memtable(1);
  let seq = 1;
  for (let i = 0; i < N; i += 1000) {
    const b = new WriteBatch();
    for (let j = i; j < i + 1000; j++) {
      const k = mode === 'seq' ? j : (j * 7919) % N;
      b.put('key' + String(k).padStart(13, '0'), val);
    }
    const rep = b.encodeCopy();
    mem.addBatch(rep, rep.length, seq);
    seq += 1000;
  }
  return mem;
}
const TABLE = { blockSize: 4096, restartInterval: 16, bloomBitsPerKey: 10, compression: 'none' };
for (let r = 0; r < 4; r++) {
  const dir = mkdtempSync('/tmp/fsplit-');
  const m1 = build();
  let t = performance.now();
  await writeLevel0Table(m1, 5, dir, fs, TABLE, 0, false);
  const full = performance.now() - t;
  const m2 = build();
  t = performance.now();
  // the main thread's part of a sorted stream: iterate survivors and copy them into 1 MiB chunks
  const ids = m2.sortedKeyIds();
  let chunk = Buffer.allocUnsafeSlow(1 << 20);
  let pos = 0;
  let chunks = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const key = m2.keyString(id);
    for (let e = m2.keyHead(id); e >= 0; e = m2.older(e)) {
      const len = m2.entryValueLength(e);
      if (pos + 16 + key.length + len > chunk.length) {
        chunks++;
        chunk = Buffer.allocUnsafeSlow(1 << 20);
        pos = 0;
      }
      chunk.writeUInt32LE(key.length, pos);
      chunk.writeDoubleLE(m2.entrySeq(e) * 256 + 1, pos + 4);
      chunk.writeUInt32LE(len, pos + 12);
      pos += 16;
      pos += chunk.latin1Write(key, pos);
      const slab = m2.entryValueSlab(e),
        off = m2.entryValueOffset(e);
      chunk.set(slab.subarray(off, off + len), pos);
      pos += len;
      break;
    }
  }
  const stream = performance.now() - t;
  console.log(
    mode,
    'writeLevel0Table ms',
    full.toFixed(1),
    ' iterate+copy to chunks ms',
    stream.toFixed(1),
    'chunks',
    chunks,
  );
  rmSync(dir, { recursive: true, force: true });
}
