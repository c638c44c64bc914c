// A fixed pool of compaction worker threads; the only module that constructs Worker. A job goes to an idle
// worker or waits for one. Workers do not keep the process alive while idle; close() terminates them.
import { Worker } from 'node:worker_threads';
import type { CompactionJob, CompactionResult } from '../task.js';
import { PROTOCOL_VERSION, rebuildError, type FromWorker, type ToWorker } from './protocol.js';

interface Slot {
  worker: Worker;
  busy: boolean;
  pending: Map<number, { resolve: (r: CompactionResult) => void; reject: (e: unknown) => void }>;
}

export class WorkerPool {
  readonly #slots: Slot[] = [];
  readonly #waiting: (() => void)[] = [];
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./entry.js', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, busy: false, pending: new Map() };
    worker.on('message', (msg: FromWorker) => {
      const p = slot.pending.get(msg.id);
      if (p === undefined) return;
      slot.pending.delete(msg.id);
      if (msg.type === 'done') p.resolve(msg.result);
      else p.reject(rebuildError(msg.error));
    });
    const failAll = (err: unknown): void => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (!this.#closed) failAll(new Error(`compaction worker exited with code ${code}`));
    });
    return slot;
  }

  async run(job: CompactionJob): Promise<CompactionResult> {
    let slot = this.#slots.find((s) => !s.busy);
    while (slot === undefined) {
      await new Promise<void>((r) => this.#waiting.push(r));
      slot = this.#slots.find((s) => !s.busy);
    }
    slot.busy = true;
    slot.worker.ref();
    const id = this.#nextId++;
    try {
      return await new Promise<CompactionResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ v: PROTOCOL_VERSION, type: 'run', id, job } satisfies ToWorker);
      });
    } finally {
      slot.busy = false;
      slot.worker.unref();
      this.#waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
