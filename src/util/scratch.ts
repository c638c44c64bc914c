// Per-thread reuse of the large working buffers of one job: a table build's output and hash buffers, a flush's
// sort lanes, a compaction's input read windows (ADR 0017). Without it every flush and compaction in a worker
// left several MB of ArrayBuffers behind; V8 collects a worker's dead ArrayBuffers only at a full collection,
// which it starts about every 64 MB of them, so a worker's malloc arena grew by that much and kept it
// (docs/performance.md, "Peak RSS").
//
// Buffers come in power-of-two capacities from MIN_SCRATCH up, so that a job of the same size as the last one
// takes back exactly the buffers that one gave. A thread keeps at most MAX_SCRATCH_BYTES of them.
//
// Invariant: a buffer is given back only when nothing reads or writes it any more, and is then handed to one
// borrower at a time. A buffer that is never given back is ordinary garbage.

/** Smallest capacity pooled: smaller working buffers die young and cost little. */
export const MIN_SCRATCH = 64 * 1024;
/** Bytes a thread keeps for reuse. */
export const MAX_SCRATCH_BYTES = 24 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
/** Buffers take() made in this thread: only these are pooled. */
const own = new WeakSet<ArrayBuffer>();

/** Capacity of the buffer take() returns for `bytes`: the power of two at or above max(bytes, MIN_SCRATCH). */
export function scratchCapacity(bytes: number): number {
  let c = MIN_SCRATCH;
  while (c < bytes) c *= 2;
  return c;
}

/** An ArrayBuffer of scratchCapacity(bytes) bytes with unspecified contents, pooled or new. */
export function takeScratch(bytes: number): ArrayBuffer {
  const cap = scratchCapacity(bytes);
  const list = free.get(cap);
  const ab = list?.pop();
  if (ab !== undefined) {
    freeBytes -= cap;
    return ab;
  }
  // allocUnsafeSlow: a whole ArrayBuffer of its own, not zero-filled (its pages stay untouched until used).
  const made = Buffer.allocUnsafeSlow(cap).buffer as ArrayBuffer;
  own.add(made);
  return made;
}

/** Gives `ab` back for reuse; the caller must never touch it again. Buffers take() did not make in this thread
 *  are left to the garbage collector. */
export function giveScratch(ab: ArrayBufferLike): void {
  if (!(ab instanceof ArrayBuffer) || !own.has(ab)) return;
  const cap = ab.byteLength;
  if (cap === 0) return; // transferred to another thread (detached)
  if (freeBytes + cap > MAX_SCRATCH_BYTES) return;
  if (free.get(cap)?.includes(ab)) throw new Error('giveScratch: buffer given back twice');
  let list = free.get(cap);
  if (list === undefined) free.set(cap, (list = []));
  list.push(ab);
  freeBytes += cap;
}

/** A buffer of scratchCapacity(bytes) bytes that starts with the first `used` bytes of `old`, whose buffer is
 *  given back (a growable working buffer outgrowing itself). */
export function growScratch(old: ArrayBufferView, used: number, bytes: number): ArrayBuffer {
  const next = takeScratch(bytes);
  new Uint8Array(next).set(new Uint8Array(old.buffer, old.byteOffset, used));
  giveScratch(old.buffer);
  return next;
}

/** Drops every buffer this thread holds for reuse (to the garbage collector). */
export function dropScratch(): void {
  free.clear();
  freeBytes = 0;
}

/** Bytes this thread holds for reuse (tests and stats). */
export function scratchBytes(): number {
  return freeBytes;
}
