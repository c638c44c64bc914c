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
//
// Idle buffers are lent to the block cache (`scratchLender`, ADR 0022) like the memtable pools' (ADR 0019): a
// take that finds no buffer of its capacity while some are lent asks the borrowers for all of them back first.
// Invariant: held + lent bytes <= MAX_SCRATCH_BYTES.
import type { Borrower, Lender, PooledMemory } from './buffer-pool.js';

/** Smallest capacity pooled: smaller working buffers die young and cost little. */
export const MIN_SCRATCH = 64 * 1024;
/** Bytes a thread keeps for reuse. */
export const MAX_SCRATCH_BYTES = 24 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
let lentBytes = 0;
let takes = 0;
const borrowers = new Set<Borrower>();
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
  takes++;
  if (lentBytes > 0 && (free.get(cap)?.length ?? 0) === 0) reclaim();
  const ab = free.get(cap)?.pop();
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
  if (freeBytes + lentBytes + cap > MAX_SCRATCH_BYTES) return;
  if (free.get(cap)?.includes(ab)) throw new Error('giveScratch: buffer given back twice');
  hold(ab);
}

function hold(ab: ArrayBuffer): void {
  const cap = ab.byteLength;
  let list = free.get(cap);
  if (list === undefined) free.set(cap, (list = []));
  list.push(ab);
  freeBytes += cap;
}

/** Asks every borrower for everything lent. */
function reclaim(): void {
  const all = [...borrowers];
  borrowers.clear();
  for (const b of all) b.returnAll(scratchLender);
}

/** This thread's idle scratch buffers, lent to the block cache while no job takes any (ADR 0022). */
export const scratchLender: Lender = {
  get takes(): number {
    return takes;
  },
  lend(borrower: Borrower, minBytes: number): PooledMemory[] {
    const out: ArrayBuffer[] = [];
    for (const [cap, list] of free) {
      if (cap < minBytes || list.length === 0) continue;
      out.push(...list);
      freeBytes -= cap * list.length;
      lentBytes += cap * list.length;
      list.length = 0;
    }
    if (out.length > 0) borrowers.add(borrower);
    return out;
  },
  giveBack(ab: PooledMemory): void {
    lentBytes -= ab.byteLength;
    if (ab instanceof ArrayBuffer && freeBytes + lentBytes + ab.byteLength <= MAX_SCRATCH_BYTES) hold(ab);
  },
  forget(borrower: Borrower): void {
    borrowers.delete(borrower);
  },
};

/** A buffer of scratchCapacity(bytes) bytes that starts with the first `used` bytes of `old`, whose buffer is
 *  given back (a growable working buffer outgrowing itself). */
export function growScratch(old: ArrayBufferView, used: number, bytes: number): ArrayBuffer {
  const next = takeScratch(bytes);
  new Uint8Array(next).set(new Uint8Array(old.buffer, old.byteOffset, used));
  giveScratch(old.buffer);
  return next;
}

/** Drops every buffer this thread holds for reuse (to the garbage collector), taking lent ones back first. */
export function dropScratch(): void {
  reclaim();
  free.clear();
  freeBytes = 0;
}

/** Bytes of this thread's scratch lent to borrowers (tests and stats). */
export function scratchLentBytes(): number {
  return lentBytes;
}

/** Bytes this thread holds for reuse (tests and stats). */
export function scratchBytes(): number {
  return freeBytes;
}
