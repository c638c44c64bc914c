// Worker thread entry: runs compaction jobs and flushes on the real file system. The only module that touches
// parentPort. Jobs arrive on parentPort; results leave on the MessagePort the pool passed in workerData (see
// pool.ts). A compaction's result carries its outputs' parsed indexes and filters, transferred (ADR 0014). A
// flush's chunks rebuild its memtable; the table is written at 'flush-end'. A flush whose chunk failed ignores
// its later chunks and reports the error at 'flush-end'.
import { parentPort, workerData } from 'node:worker_threads';
import { NodeFileSystem } from '../../fs/node-fs.js';
import { runCompaction } from '../run.js';
import { FlushRun } from '../flush-run.js';
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
const flushes = new Map<number, { run: FlushRun | undefined; error: unknown }>();

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
    case 'flush-begin': {
      const f: { run: FlushRun | undefined; error: unknown } = { run: undefined, error: undefined };
      flushes.set(msg.id, f);
      try {
        f.run = new FlushRun(fs, msg.spec);
      } catch (err) {
        f.error = err;
      }
      return;
    }
    case 'flush-chunk': {
      const f = flushes.get(msg.id);
      if (f?.run === undefined || f.error !== undefined) return;
      try {
        f.run.add(msg.chunk, msg.length);
      } catch (err) {
        f.error = err;
        f.run = undefined; // drop the partial memtable; no file exists before flush-end
      }
      return;
    }
    case 'flush-end':
    case 'flush-abort': {
      const f = flushes.get(msg.id);
      flushes.delete(msg.id);
      if (f === undefined) return;
      if (msg.type === 'flush-abort') return; // nothing was written yet
      if (f.error !== undefined || f.run === undefined) {
        fail(msg.id, f.error);
        return;
      }
      f.run.finish().then(
        (meta) => reply({ v: PROTOCOL_VERSION, type: 'flushed', id: msg.id, meta }),
        (err) => fail(msg.id, err), // writeLevel0Table removed the partial table
      );
      return;
    }
  }
});
