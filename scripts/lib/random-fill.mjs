// Shared by the read-tail probes (slow-reads.mjs, settle-reads.mjs): the keys they write and read, a seeded
// shuffle of them, the GC entries of this thread, and its scheduler figures.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/** A seeded xorshift32 in [0, 1): every probe run reads and writes the same sequence. */
export function seededRandom(seed = 12345) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** 0..n-1 shuffled (Fisher–Yates) with `rnd`. */
export function shuffled(n, rnd) {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** The 16-byte key of index i: 'key' and 13 digits. */
export const keyOf = (i) => Buffer.from('key' + String(i).padStart(13, '0'));

/** [startTime, duration, kind] of every GC of this thread from now on (perf_hooks: 1 minor, 2 major, 4 incremental). */
export function recordGcs() {
  const gcs = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) gcs.push([e.startTime, e.duration, e.detail?.kind]);
  }).observe({ entryTypes: ['gc'] });
  return gcs;
}

/** [ns on the CPU, ns waiting on a run queue] of the calling thread (/proc/thread-self/schedstat). */
export const schedstat = () =>
  readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ').slice(0, 2).map(Number);
