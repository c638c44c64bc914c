// Worker thread entry: runs compaction jobs and flushes on the real file system. The only module that touches
// parentPort. Jobs arrive on parentPort; results leave on the MessagePort the pool passed in workerData (see
// pool.ts). A compaction's result carries its outputs' parsed indexes and filters, transferred (ADR 0014). A
// flush reads its memtable in place, in the main thread's shared memory, and writes the table (ADR 0016).
import { parentPort, workerData } from 'node:worker_threads';
import { NodeFileSystem } from '../../fs/node-fs.js';
import { runCompaction } from '../run.js';
import { runFlush } from '../flush-run.js';
import {
  PROTOCOL_VERSION,
  serializeError,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './protocol.js';
import { lowerThreadPriority } from './priority.js';
import { handoverBuffers } from '../table-handover.js';

const fs = new NodeFileSystem();
const port = parentPort!;
const { results, nice } = workerData as WorkerData;
lowerThreadPriority(nice);

function reply(msg: FromWorker): void {
  results.postMessage(msg);
}
function fail(id: number, err: unknown): void {
  reply({ v: PROTOCOL_VERSION, type: 'error', id, error: serializeError(err) });
}

port.on('message', (msg: ToWorker) => {
  if (msg.v !== PROTOCOL_VERSION) return;
  switch (msg.type) {
    case 'run':
      runCompaction(msg.job, { fs }).then(
        (result) => {
          const done = { v: PROTOCOL_VERSION, type: 'done', id: msg.id, result } satisfies FromWorker;
          try {
            results.postMessage(done, handoverBuffers(result.tables));
          } catch {
            // A buffer that cannot be transferred: the result goes without hand-overs (tables open from disk).
            reply({ ...done, result: { ...result, tables: undefined } });
          }
        },
        (err) => fail(msg.id, err),
      );
      return;
    case 'flush': {
      runFlush(fs, msg.spec, msg.batches).then(
        (flushed) => {
          const done = { v: PROTOCOL_VERSION, type: 'flushed', id: msg.id, flushed } as const;
          try {
            results.postMessage(done, handoverBuffers(flushed.table === undefined ? [] : [flushed.table]));
          } catch {
            // A buffer that cannot be transferred: the table opens from its file.
            reply({ ...done, flushed: { meta: flushed.meta, table: undefined } });
          }
        },
        (err) => fail(msg.id, err), // writeLevel0Table removed the partial table
      );
      return;
    }
  }
});
