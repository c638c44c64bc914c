// The memory a database's background workers would hold, lent to its block cache while none of them is alive
// (ADR 0022). A live flush or compaction worker costs the process about 10 MiB of isolate and its working
// memory on top (docs/performance.md, "Worker memory lent to the cache"); a read phase with no worker alive has
// that room and nothing in it. The lender hands out one buffer of `bytes` while no worker is alive, and takes it
// back (the borrower drops the blocks in it first) just before a worker starts; the memory is then freed as soon
// as the event loop next closes handles (freeNow), not at the next full garbage collection, so the worker's
// memory and the cache's do not add up while the worker starts up.
//
// Invariants: at most one buffer is lent at a time; no buffer is lent while a worker is alive (started and not
// yet exited); a buffer given back is never read or written again (it is detached and freed).
import { MessageChannel } from 'node:worker_threads';
import type { Borrower, Lender, PooledMemory } from './buffer-pool.js';

/**
 * Frees the memory behind `ab` now instead of at the garbage collection that would find it unreachable: its
 * contents move to a message on a channel that is closed before anyone reads it, so Node frees them when the
 * channel's handles are closed, in the event loop's next close-callback phase: after the current synchronous
 * stretch, with no collection (`node scripts/micro-probes.mjs free`: 3 × 40 MiB left RSS after a setTimeout 0,
 * not yet after a setImmediate). `ab` is detached (byteLength 0) on return. A buffer that cannot be
 * transferred (already detached, or one Node marks untransferable) is left to the garbage collector.
 */
export function freeNow(ab: ArrayBuffer): void {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(null, [ab]);
  } catch {
    // not transferable: the collector frees it once unreachable
  } finally {
    port1.close();
    port2.close();
  }
}

/**
 * Resident memory one live background worker costs the process, lent per worker slot (ADR 0022). Measured
 * (scripts/memory-probe.mjs TIMELINE): the process's RSS fell by 15 MiB when the flush worker exited and by
 * 21 MiB when the compaction worker did; an empty worker thread costs about 10 MiB. With the default one flush
 * and one compaction worker, 32 MiB: a buffer of that size is always mmapped by glibc, so freeing it gives it
 * back to the system at once and leaves the mmap threshold alone (ADR 0021).
 */
export const WORKER_MEMORY_BYTES = 16 << 20;

export class IdleWorkerMemory implements Lender {
  /** Bytes lent while no worker is alive (0: never lends). */
  readonly bytes: number;
  #alive = 0;
  #takes = 0;
  #lent: { borrower: Borrower; ab: ArrayBuffer } | undefined;

  constructor(bytes: number) {
    this.bytes = bytes;
  }

  /** Workers started and not yet exited. */
  get aliveWorkers(): number {
    return this.#alive;
  }

  /** Bytes lent now. */
  get lentBytes(): number {
    return this.#lent === undefined ? 0 : this.bytes;
  }

  /** Counts worker starts: the cache borrows only after a whole turn of its ring with none (ADR 0019). */
  get takes(): number {
    return this.#takes;
  }

  /** Call just before a worker starts: takes the lent memory back and frees it. */
  workerStarting(): void {
    this.#takes++;
    this.#alive++;
    const lent = this.#lent;
    if (lent !== undefined) lent.borrower.returnAll(this);
  }

  /** Call when a worker has exited (its thread and heap are gone). */
  workerExited(): void {
    if (this.#alive > 0) this.#alive--;
  }

  lend(borrower: Borrower, minBytes: number): PooledMemory[] {
    if (this.#alive > 0 || this.#lent !== undefined || this.bytes < minBytes || this.bytes === 0) return [];
    // allocUnsafeSlow: its own ArrayBuffer (transferable, so freeNow can free it), not zero-filled: pages become
    // resident only as the cache writes blocks into them.
    const ab = Buffer.allocUnsafeSlow(this.bytes).buffer as ArrayBuffer;
    this.#lent = { borrower, ab };
    return [ab];
  }

  giveBack(ab: PooledMemory): void {
    if (this.#lent === undefined || this.#lent.ab !== ab) throw new Error('IdleWorkerMemory: not lent here');
    this.#lent = undefined;
    freeNow(ab);
  }

  forget(borrower: Borrower): void {
    if (this.#lent?.borrower === borrower) throw new Error('IdleWorkerMemory: forgotten while still lent');
  }
}
