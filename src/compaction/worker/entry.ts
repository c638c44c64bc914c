// Worker thread entry: runs compaction jobs on the real file system. The only module that touches parentPort.
// Jobs arrive on parentPort; results leave on the MessagePort the pool passed in workerData (see pool.ts).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { NodeFileSystem } from '../../fs/node-fs.js';
import { runCompaction } from '../run.js';
import { PROTOCOL_VERSION, serializeError, type FromWorker, type ToWorker } from './protocol.js';

const fs = new NodeFileSystem();
const port = parentPort!;
const results = (workerData as { results: MessagePort }).results;
port.on('message', (msg: ToWorker) => {
  if (msg.v !== PROTOCOL_VERSION || msg.type !== 'run') return;
  runCompaction(msg.job, { fs }).then(
    (result) =>
      results.postMessage({ v: PROTOCOL_VERSION, type: 'done', id: msg.id, result } satisfies FromWorker),
    (err) =>
      results.postMessage({
        v: PROTOCOL_VERSION,
        type: 'error',
        id: msg.id,
        error: serializeError(err),
      } satisfies FromWorker),
  );
});
