// The flush worker's leftover ArrayBuffer memory (ADR 0017): the main thread builds N memtables of random keys
// (100-byte values) and a worker thread flushes each with runFlush, as the engine's flush worker does, printing
// its V8 external memory after every flush. Memory that keeps growing is garbage waiting for a full collection.
// Usage: npm run -s build && node scripts/flush-garbage-probe.mjs [flushes, default 12] [keys per memtable, default 250000]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const mib = (x) => (x / 1048576).toFixed(1);
if (isMainThread) {
  const { Memtable } = await import('../dist/src/memtable/memtable.js');
  const { WriteBatch } = await import('../dist/src/batch/write-batch.js');
  const { sharedBuffer } = await import('../dist/src/util/buffer-pool.js');
  const flushes = Number(process.argv[2] ?? 12);
  const keys = Number(process.argv[3] ?? 250_000);
  const dir = mkdtempSync('/tmp/granite-flush-garbage-');
  const worker = new Worker(new URL(import.meta.url), { workerData: { dir } });
  const value = Buffer.alloc(100, 7);
  let x = 12345;
  for (let f = 0; f < flushes; f++) {
    const mem = new Memtable(1);
    let seq = 1;
    for (let i = 0; i < keys; i += 1000) {
      const b = new WriteBatch();
      for (let j = 0; j < 1000; j++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        b.put(`key${String(x % 100_000_000).padStart(13, '0')}`, value);
      }
      const rep = b.encodeCopy();
      const shared = sharedBuffer(rep.length); // memtable memory is shared with the flush worker (ADR 0016)
      shared.set(rep);
      mem.addBatch(shared, shared.length, seq);
      seq += 1000;
    }
    worker.postMessage({ fileNum: f + 1, batches: mem.sharedBatches() });
    const external = await new Promise((r) => worker.once('message', r));
    console.log(`flush ${f + 1}: worker external memory ${mib(external)} MiB`);
  }
  await worker.terminate();
  rmSync(dir, { recursive: true, force: true });
} else {
  const { runFlush } = await import('../dist/src/compaction/flush-run.js');
  const { NodeFileSystem } = await import('../dist/src/fs/node-fs.js');
  const { handoverBuffers } = await import('../dist/src/compaction/table-handover.js');
  const fs = new NodeFileSystem();
  const table = { blockSize: 4096, restartInterval: 16, bloomBitsPerKey: 10, compression: 'none' };
  parentPort.on('message', async ({ fileNum, batches }) => {
    const done = await runFlush(
      fs,
      { dir: workerData.dir, fileNum, table, oldestSnapshot: Number.MAX_SAFE_INTEGER },
      batches,
    );
    const external = getHeapStatistics().external_memory;
    // As the engine's worker replies: the parsed index and filter, when the flush returns them, are transferred.
    const handed = done?.table;
    parentPort.postMessage(external, handed === undefined ? [] : handoverBuffers([handed]));
  });
}
