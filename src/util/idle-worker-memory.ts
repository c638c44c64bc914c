// The memory a database's background workers would hold, lent to its block cache while none of them is alive
// (ADR 0022). A live flush or compaction worker costs the process about 10 MiB of isolate and its working
// memory on top (docs/performance.md, "Worker memory lent to the cache"); a read phase with no worker alive has
// that room and nothing in it. The lender hands out one buffer of `bytes` while no worker is alive, and takes it
// back (the borrower drops the blocks in it first) just before a worker starts; the memory is then freed as soon
// as the event loop next closes handles (freeBeforeGc), not at the next full garbage collection, so the worker's
// memory and the cache's do not add up while the worker starts up.
//
// Invariants: at most one buffer is lent at a time; no buffer is lent while a worker is alive (started and not
// yet exited); a buffer given back is never read or written again (it is detached and freed).
import type { Borrower, Lender, PooledMemory } from './buffer-pool.js';
import { freeBeforeGc } from './free-before-gc.js';

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
    // allocUnsafeSlow: its own ArrayBuffer (transferable, so freeBeforeGc can free it), not zero-filled: pages become
    // resident only as the cache writes blocks into them.
    const ab = Buffer.allocUnsafeSlow(this.bytes).buffer as ArrayBuffer;
    this.#lent = { borrower, ab };
    return [ab];
  }

  giveBack(ab: PooledMemory): void {
    if (this.#lent === undefined || this.#lent.ab !== ab) throw new Error('IdleWorkerMemory: not lent here');
    this.#lent = undefined;
    freeBeforeGc(ab);
  }

  forget(borrower: Borrower): void {
    if (this.#lent?.borrower === borrower) throw new Error('IdleWorkerMemory: forgotten while still lent');
  }
}
