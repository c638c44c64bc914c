// Worker-thread entry of the fuzz driver (the only file here that touches parentPort). Runs the plan it is
// sent, keeping its position and counts in shared memory so that the main thread's watchdog knows which
// input hangs and keeps every count when it has to terminate the worker:
//   state[0] target index, state[1] input index (the input running now), state[2] inputs finished,
//   state[3] 1 once the corpus is built
//   counts[4 t + 0..3] inputs, accepted, rejected, failures of target t;  millis[t] time spent in target t
// Failures are posted as messages: { failure: { target, index, reason, input } }; the end as { done: true }.
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { installAllocMeter } from './alloc-meter.js';
import { buildCorpus } from './corpus.js';
import { runOne } from './runner.js';
import { TARGETS } from './targets/index.js';

export interface PlanItem {
  target: number;
  from: number;
  to: number;
}
export interface FuzzRequest {
  seed: number;
  plan: PlanItem[];
  state: SharedArrayBuffer;
  counts: SharedArrayBuffer;
  millis: SharedArrayBuffer;
}
export interface FuzzFailureReport {
  target: string;
  index: number;
  reason: string;
  input: string;
}
export type FuzzMessage = { failure: FuzzFailureReport } | { done: true };

/** A worker heap over this many bytes after a chunk of inputs is a failure of the input that ran last. */
const HEAP_LIMIT = 1536 * 1024 * 1024;

const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread');

port.on('message', (req: FuzzRequest) => {
  void (async () => {
    installAllocMeter();
    const corpus = await buildCorpus(req.seed);
    const state = new Int32Array(req.state);
    Atomics.store(state, 3, 1);
    const counts = new Int32Array(req.counts);
    const millis = new Float64Array(req.millis);
    for (const { target, from, to } of req.plan) {
      const t = TARGETS[target]!;
      Atomics.store(state, 0, target);
      let t0 = performance.now();
      for (let i = from; i < to; i++) {
        Atomics.store(state, 1, i);
        const r = runOne(t, target, req.seed, i, corpus);
        counts[4 * target]!++;
        if ('outcome' in r) counts[4 * target + (r.outcome === 'accepted' ? 1 : 2)]!++;
        else {
          counts[4 * target + 3]!++;
          port.postMessage({
            failure: { target: t.name, index: i, reason: r.failure, input: r.input },
          } satisfies FuzzMessage);
        }
        Atomics.add(state, 2, 1);
        if ((i & 4095) === 4095) {
          millis[target]! += performance.now() - t0;
          t0 = performance.now();
          if (getHeapStatistics().used_heap_size > HEAP_LIMIT) {
            counts[4 * target + 3]!++;
            port.postMessage({
              failure: {
                target: t.name,
                index: i,
                reason: 'heap over 1.5 GiB after this chunk of inputs',
                input: '',
              },
            } satisfies FuzzMessage);
          }
        }
      }
      millis[target]! += performance.now() - t0;
    }
    port.postMessage({ done: true } satisfies FuzzMessage);
  })();
});
