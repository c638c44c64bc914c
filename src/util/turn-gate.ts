// TurnGate: settles the promises of operations that complete synchronously (async get, getMany, `for await`
// over an iterator: they read from memory and page-cached files without waiting) while keeping a tight chain
// of them from starving the event loop.
//
// Without it such a chain never leaves the microtask queue: `for (...) await db.get(k)`, or 256 loops of it
// as in the readrandom benchmark, runs for as long as it has keys, and nothing queued behind it runs meanwhile:
// not the engine's own flush (file writes complete through the event loop) or the installation of a finished
// compaction (a worker message), not the application's timers or sockets. Measured before this gate: 10 s of
// async reads after a write burst ended with both immutable memtables (64 MiB) still unflushed.
//
// Invariant: once a chain of settlements has run MAX_STARVE_MS without the event loop turning, every further
// settlement waits for one setImmediate, so the microtask queue drains and the loop runs its timers, I/O and
// messages before any of those operations continues. A turn is noticed by an unreferenced probe immediate
// armed every CHECK_EVERY settlements; no operation ever waits unless the probe failed to run in time.
import { performance } from 'node:perf_hooks';

/** Settlements between looks at the clock. */
const CHECK_EVERY = 64;

export class TurnGate {
  readonly #maxStarveMs: number;
  #count = 0;
  #probe: NodeJS.Immediate | undefined;
  #probeArmedAt = 0;
  #gate: Promise<void> | undefined;
  /** Times a chain was held for a turn of the event loop (stats). */
  yields = 0;

  constructor(maxStarveMs = 2) {
    this.#maxStarveMs = maxStarveMs;
  }

  /** A promise of `value`: resolved now, or after one turn of the event loop when the loop is being starved. */
  settle<T>(value: T): Promise<T> {
    if (this.#gate === undefined && ++this.#count % CHECK_EVERY === 0) this.#check();
    const gate = this.#gate;
    return gate === undefined ? Promise.resolve(value) : gate.then(() => value);
  }

  #check(): void {
    const now = performance.now();
    if (this.#probe === undefined) {
      this.#probeArmedAt = now;
      this.#probe = setImmediate(() => {
        this.#probe = undefined;
      }).unref();
      return;
    }
    if (now - this.#probeArmedAt < this.#maxStarveMs) return;
    this.yields++;
    this.#gate = new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#gate = undefined;
        resolve();
      });
    });
  }

  /** Drops the probe (on close): an unreferenced immediate keeps nothing alive, but need not linger. */
  dispose(): void {
    if (this.#probe !== undefined) clearImmediate(this.#probe);
    this.#probe = undefined;
  }
}
