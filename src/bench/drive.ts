// Operation drivers: a synchronous loop, and N async loops sharing one counter (N operations in
// flight, the next issued as soon as one completes). They time the whole run and, when given a
// recorder, each operation. Concurrency story: the async loops interleave only at their awaits; the
// shared counter is read and advanced with no await in between.
import { performance } from 'node:perf_hooks';
import type { LatencyRecorder } from './latency.js';

/** Runs op(0..ops-1) one after another; returns elapsed seconds. */
export function driveSync(ops: number, op: (i: number) => unknown, lat?: LatencyRecorder): number {
  const start = performance.now();
  if (lat === undefined) {
    for (let i = 0; i < ops; i++) op(i);
  } else {
    for (let i = 0; i < ops; i++) {
      const t = performance.now();
      op(i);
      lat.record(performance.now() - t);
    }
  }
  return (performance.now() - start) / 1000;
}

/** Runs op(0..ops-1) with `inFlight` outstanding at a time; returns elapsed seconds. */
export async function driveAsync(
  ops: number,
  inFlight: number,
  op: (i: number) => Promise<unknown>,
  lat?: LatencyRecorder,
): Promise<number> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < ops) {
      const i = next++; // no await between the check and the claim
      if (lat === undefined) {
        await op(i);
      } else {
        const t = performance.now();
        await op(i);
        lat.record(performance.now() - t);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, ops) }, loop));
  return (performance.now() - start) / 1000;
}
