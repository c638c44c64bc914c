// Freeing a large ArrayBuffer deterministically. Node 20 has no ArrayBuffer.prototype.transfer, and an
// unreachable ArrayBuffer keeps its memory until a full collection, which V8 starts on its own schedule. Used
// where the memory must be gone before something else allocates as much (ADR 0022).
import { MessageChannel } from 'node:worker_threads';

/**
 * Frees the memory behind `ab` without waiting for the garbage collection that would find it unreachable: its
 * contents move to a message on a channel that is closed before anyone reads it, so Node frees them when the
 * channel's handles are closed, in the event loop's next close-callback phase: after the current synchronous
 * stretch, with no collection (`node scripts/micro-probes.mjs free`: 3 × 40 MiB left RSS after a setTimeout 0,
 * not yet after a setImmediate). `ab` is detached (byteLength 0) on return. A buffer that cannot be
 * transferred (already detached, or one Node marks untransferable) is left to the garbage collector.
 */
export function freeBeforeGc(ab: ArrayBuffer): void {
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
