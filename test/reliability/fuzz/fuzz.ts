// The fuzz driver (the only file here that constructs a Worker): splits `inputs` evenly over the targets,
// runs them in a worker thread under a watchdog, and collects per-target counts and failures. An input that
// makes no progress for `timeoutMs` is a hang: the worker is terminated, the input recorded as a failure, and
// a new worker goes on after it.
import { Worker } from 'node:worker_threads';
import { TARGETS } from './targets/index.js';
import type { FuzzFailureReport, FuzzMessage, FuzzRequest, PlanItem } from './worker.js';

export interface TargetFigures {
  name: string;
  inputs: number;
  accepted: number;
  rejected: number;
  failures: number;
  millis: number;
}

export interface FuzzResult {
  seed: number;
  targets: TargetFigures[];
  failures: FuzzFailureReport[];
  millis: number;
}

export interface FuzzOptions {
  seed: number;
  inputs: number;
  /** Target names to run (default: all). */
  only?: readonly string[];
  timeoutMs: number;
  onProgress?: (done: number, total: number) => void;
}

export function planFor(inputs: number, only?: readonly string[]): PlanItem[] {
  const chosen = TARGETS.map((t, i) => ({ t, i })).filter(
    ({ t }) => only === undefined || only.includes(t.name),
  );
  if (chosen.length === 0) throw new Error(`no target named ${only} (${TARGETS.map((t) => t.name)})`);
  const each = Math.floor(inputs / chosen.length);
  return chosen.map(({ i }, j) => ({ target: i, from: 0, to: each + (j < inputs % chosen.length ? 1 : 0) }));
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const t0 = performance.now();
  const state = new SharedArrayBuffer(16);
  const counts = new SharedArrayBuffer(16 * TARGETS.length);
  const millis = new SharedArrayBuffer(8 * TARGETS.length);
  const failures: FuzzFailureReport[] = [];
  let plan = planFor(o.inputs, o.only);
  const total = plan.reduce((n, p) => n + p.to - p.from, 0);
  const st = new Int32Array(state);
  while (plan.length > 0) {
    const stop = await runWorker({ seed: o.seed, plan, state, counts, millis }, o, failures, total);
    if (stop === undefined) break;
    // Record the input that hung or killed the worker, and go on after it.
    const { target, index, reason } = stop;
    const c = new Int32Array(counts);
    c[4 * target]!++;
    c[4 * target + 3]!++;
    Atomics.add(st, 2, 1);
    failures.push({ target: TARGETS[target]!.name, index, reason, input: '' });
    const k = plan.findIndex((p) => p.target === target);
    plan = [{ ...plan[k]!, from: index + 1 }, ...plan.slice(k + 1)].filter((p) => p.to > p.from);
  }
  const c = new Int32Array(counts);
  const ms = new Float64Array(millis);
  const targets = planFor(o.inputs, o.only).map((p) => ({
    name: TARGETS[p.target]!.name,
    inputs: c[4 * p.target]!,
    accepted: c[4 * p.target + 1]!,
    rejected: c[4 * p.target + 2]!,
    failures: c[4 * p.target + 3]!,
    millis: ms[p.target]!,
  }));
  return { seed: o.seed, targets, failures, millis: performance.now() - t0 };
}

/** Runs `req` in one worker; resolves undefined when done, or the input that hung or killed the worker. */
function runWorker(
  req: FuzzRequest,
  o: FuzzOptions,
  failures: FuzzFailureReport[],
  total: number,
): Promise<{ target: number; index: number; reason: string } | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    const st = new Int32Array(req.state);
    Atomics.store(st, 3, 0);
    let seen = Atomics.load(st, 2);
    let last = performance.now();
    let settled = false;
    const settle = (then: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate().then(then, then);
    };
    const stopAt = (reason: string): void => {
      const at = { target: Atomics.load(st, 0), index: Atomics.load(st, 1), reason };
      settle(() => resolve(at));
    };
    const watchdog = setInterval(
      () => {
        const done = Atomics.load(st, 2);
        o.onProgress?.(done, total);
        if (done !== seen) {
          seen = done;
          last = performance.now();
        } else if (performance.now() - last > o.timeoutMs)
          stopAt(`hang: no progress within ${o.timeoutMs} ms`);
      },
      Math.min(1000, o.timeoutMs),
    );
    const died = (why: string): void => {
      // Before the first input (the corpus did not build) this is not a decoder failure: give up.
      if (Atomics.load(st, 3) === 0 && !settled) settle(() => reject(new Error(why)));
      else stopAt(`worker died: ${why}`);
    };
    worker.on('message', (m: FuzzMessage) => {
      if ('failure' in m) failures.push(m.failure);
      else settle(() => resolve(undefined));
    });
    worker.on('error', (err) => died(err.stack ?? err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    worker.postMessage(req);
  });
}
