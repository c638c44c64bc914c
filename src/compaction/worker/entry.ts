// Worker thread entry: runs compaction jobs on the real file system. The only module that touches parentPort.
import { parentPort } from 'node:worker_threads';
import { NodeFileSystem } from '../../fs/node-fs.js';
import { runCompaction } from '../run.js';
import { PROTOCOL_VERSION, serializeError, type FromWorker, type ToWorker } from './protocol.js';

const fs = new NodeFileSystem();
const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  if (msg.v !== PROTOCOL_VERSION || msg.type !== 'run') return;
  runCompaction(msg.job, { fs }).then(
    (result) =>
      port.postMessage({ v: PROTOCOL_VERSION, type: 'done', id: msg.id, result } satisfies FromWorker),
    (err) =>
      port.postMessage({
        v: PROTOCOL_VERSION,
        type: 'error',
        id: msg.id,
        error: serializeError(err),
      } satisfies FromWorker),
  );
});
