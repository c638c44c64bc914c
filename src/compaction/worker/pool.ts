// A fixed pool of background worker threads (compactions, or flushes: the engine keeps one pool of each);
// the only module that constructs Worker. A job goes to an idle worker or waits for one. Workers do not keep the process alive while idle; close() terminates them.
// A worker idle for `idleMs` is terminated, which gives its heap back to the system, and a new one starts
// with the next job (ADR 0017).
// Results come back on a MessagePort of their own, so pollSync() can take them without an event-loop turn
// (receiveMessageOnPort): a program that only runs synchronous reads still gets finished compactions installed.
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
  type ResourceLimits,
} from 'node:worker_threads';
import type { CompactionJob, CompactionResult } from '../task.js';
import { localCopies } from '../table-handover.js';
import type { FlushSpec } from '../flush-run.js';
import type { FlushedTable } from '../flush-table.js';
import type { SharedBatches } from '../../memtable/shared-batches.js';
import type { IdleWorkerMemory } from '../../util/idle-worker-memory.js';
import {
  PROTOCOL_VERSION,
  rebuildError,
  type FromWorker,
  type ToWorker,
  type WorkerData,
} from './protocol.js';

interface Pending {
  resolve: (r: never) => void;
  reject: (e: unknown) => void;
  /** Called synchronously when the result arrives, before the promise resolves. */
  onResult: ((r: CompactionResult) => void) | undefined;
}

interface Slot {
  worker: Worker;
  results: MessagePort;
  busy: boolean;
  pending: Map<number, Pending>;
  /** Set while the slot is idle: retires it when it fires. */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Its worker was terminated for idleness; the next job starts a new one in its place. */
  retired: boolean;
}

/** How long a worker may stay idle before it is terminated. */
export const WORKER_IDLE_MS = 1000;

/**
 * Starts a compaction worker with a results port. Workers inherit the process's execArgv; a flag about how the
 * main script was given (`node --input-type=module -e`) makes a worker started from a file fail, so it is
 * dropped, and if Node then rejects the remaining flags as a worker's (e.g. --expose-gc given explicitly),
 * the worker starts with none.
 */
function startWorker(
  resourceLimits: ResourceLimits | undefined,
  nice: number,
): { worker: Worker; port1: MessagePort } {
  const url = new URL('./entry.js', import.meta.url);
  const kept = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const attempts: (string[] | undefined)[] =
    kept.length === process.execArgv.length ? [undefined] : [kept, []];
  for (let i = 0; ; i++) {
    const { port1, port2 } = new MessageChannel();
    try {
      const worker = new Worker(url, {
        workerData: { results: port2, nice } satisfies WorkerData,
        transferList: [port2],
        execArgv: attempts[i],
        ...(resourceLimits === undefined ? {} : { resourceLimits }),
      });
      return { worker, port1 };
    } catch (err) {
      port1.close();
      if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || i + 1 >= attempts.length)
        throw err;
    }
  }
}

export class WorkerPool {
  readonly #slots: Slot[] = [];
  readonly #waiting: (() => void)[] = [];
  #nextId = 1;
  #closed = false;

  readonly #limits: ResourceLimits | undefined;
  readonly #nice: number;
  readonly #idleMs: number;
  readonly #memory: IdleWorkerMemory | undefined;
  /** Workers terminated for idleness so far. */
  retired = 0;

  /** `resourceLimits` bound each worker's heap (V8 collects sooner as a worker nears them); `nice` is added to
   *  each worker thread's niceness (Linux; see worker/priority.ts); a worker idle for `idleMs` is terminated
   *  (0: never); `memory` is told of every worker start and exit (the cache borrows it while none is alive,
   *  ADR 0022). */
  constructor(
    size: number,
    resourceLimits?: ResourceLimits,
    nice = 0,
    idleMs = WORKER_IDLE_MS,
    memory?: IdleWorkerMemory,
  ) {
    this.#limits = resourceLimits;
    this.#nice = nice;
    this.#idleMs = idleMs;
    this.#memory = memory;
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  /** Workers running now (not terminated for idleness). */
  get liveWorkers(): number {
    return this.#slots.filter((s) => !s.retired).length;
  }

  #spawn(): Slot {
    const memory = this.#memory;
    memory?.workerStarting(); // the cache gives the memory back before this worker allocates its own
    let started: { worker: Worker; port1: MessagePort };
    try {
      started = startWorker(this.#limits, this.#nice);
    } catch (err) {
      memory?.workerExited();
      throw err;
    }
    const { worker, port1 } = started;
    if (memory !== undefined) worker.once('exit', () => memory.workerExited());
    worker.unref();
    const slot: Slot = {
      worker,
      results: port1,
      busy: false,
      pending: new Map(),
      idleTimer: undefined,
      retired: false,
    };
    port1.on('message', (msg: FromWorker) => this.#deliver(slot, msg));
    port1.unref(); // after on('message'), which refs the port again: an idle pool must not keep a process alive
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

  #deliver(slot: Slot, msg: FromWorker): void {
    const p = slot.pending.get(msg.id);
    if (p === undefined) return;
    slot.pending.delete(msg.id);
    // Hand-overs are copied out of the worker's memory (table-handover.ts localCopies).
    if (msg.type === 'done') {
      const r = msg.result;
      const result = r.tables === undefined ? r : { ...r, tables: localCopies(r.tables) };
      p.onResult?.(result);
      (p.resolve as (r: CompactionResult) => void)(result);
    } else if (msg.type === 'flushed') {
      const f = msg.flushed;
      (p.resolve as (r: FlushedTable) => void)(
        f.table === undefined ? f : { ...f, table: localCopies([f.table])[0] },
      );
    } else p.reject(rebuildError(msg.error));
  }

  /** Takes any finished results now, without waiting for the event loop (their onResult callbacks run). */
  pollSync(): void {
    for (const slot of this.#slots) {
      if (slot.pending.size === 0) continue;
      const m = receiveMessageOnPort(slot.results);
      if (m !== undefined) this.#deliver(slot, m.message as FromWorker);
    }
  }

  async #acquire(): Promise<Slot> {
    let i = this.#slots.findIndex((s) => !s.busy);
    while (i < 0) {
      await new Promise<void>((r) => this.#waiting.push(r));
      i = this.#slots.findIndex((s) => !s.busy);
    }
    let slot = this.#slots[i]!;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (slot.retired) slot = this.#slots[i] = this.#spawn();
    slot.busy = true;
    slot.worker.ref();
    return slot;
  }

  #release(slot: Slot): void {
    slot.busy = false;
    slot.worker.unref();
    if (this.#idleMs > 0 && !this.#closed) {
      slot.idleTimer = setTimeout(() => this.#retire(slot), this.#idleMs);
      slot.idleTimer.unref();
    }
    this.#waiting.shift()?.();
  }

  #retire(slot: Slot): void {
    slot.idleTimer = undefined;
    if (slot.busy || slot.retired || slot.pending.size > 0 || this.#closed) return;
    slot.retired = true;
    this.retired++;
    void slot.worker.terminate();
    slot.results.close();
  }

  async run(job: CompactionJob, onResult?: (r: CompactionResult) => void): Promise<CompactionResult> {
    const slot = await this.#acquire();
    const id = this.#nextId++;
    try {
      return await new Promise<CompactionResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject, onResult });
        slot.worker.postMessage({ v: PROTOCOL_VERSION, type: 'run', id, job } satisfies ToWorker);
      });
    } finally {
      this.#release(slot);
    }
  }

  /**
   * Runs a flush of the memtable whose batches are `batches` (ADR 0016: the worker reads them in the sender's
   * shared memory, which must stay untouched until this settles). Resolves with the synced table's metadata
   * and its parsed index and filter, transferred from the worker.
   */
  async runFlush(spec: FlushSpec, batches: SharedBatches): Promise<FlushedTable> {
    const slot = await this.#acquire();
    const id = this.#nextId++;
    try {
      return await new Promise<FlushedTable>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject, onResult: undefined });
        slot.worker.postMessage({ v: PROTOCOL_VERSION, type: 'flush', id, spec, batches } satisfies ToWorker);
      });
    } finally {
      this.#release(slot);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#slots) clearTimeout(s.idleTimer);
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    for (const s of this.#slots) s.results.close();
  }
}
