// Lowers the calling thread's CPU priority (Linux niceness), for worker threads whose work can wait while the
// main thread serves reads (ADR 0015). Linux applies setpriority(PRIO_PROCESS, tid) to one thread; the
// thread finds its own id through /proc/thread-self. Elsewhere, or where /proc is missing, it does nothing.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The kernel's id of the calling thread, or undefined where /proc/thread-self does not exist. */
export function currentThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds `by` (0–19) to the calling thread's niceness, capped at 19; lowering a priority needs no privilege.
 * Returns the niceness now in effect, or undefined if the thread's priority was left as it was.
 */
export function lowerThreadPriority(by: number): number | undefined {
  if (by <= 0) return undefined;
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return nice;
  } catch {
    return undefined; // best effort: a sandbox may forbid it, and the work runs all the same
  }
}
