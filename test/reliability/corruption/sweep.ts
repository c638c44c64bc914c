// Runs the cases of one (fixture, WAL recovery mode) in a worker thread under a watchdog (the only file here
// that constructs a Worker). A case that sends no result within `timeoutMs` is a hang: the worker is
// terminated, the case recorded as a failure, and a new worker goes on with the next case. Tallies verdicts
// overall and per region of the damaged byte (fixture.regions; "outside" for bytes no region holds).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WalRecoveryMode } from '../../../src/index.js';
import { caseId, parseCaseId, type Damage } from './damage.js';
import type { Fixture } from './fixtures.js';
import { regionAt, regionKind } from './layout.js';
import type { Verdict } from './run-case.js';
import type { SweepMessage, SweepRequest } from './worker.js';

export interface Tally {
  cases: number;
  detected: number;
  harmless: number;
  failures: number;
}

export interface SweepResult {
  fixture: string;
  mode: WalRecoveryMode;
  total: Tally;
  byRegion: Map<string, Tally>;
  /** Harmless outcomes by the state they showed ("final", "prefix:3", ...). */
  harmlessStates: Map<string, number>;
  /** Detections whose error named the damaged file itself. */
  namedTarget: number;
  failures: { id: string; verdict: Extract<Verdict, { verdict: 'failure' }> }[];
  millis: number;
}

export function emptyTally(): Tally {
  return { cases: 0, detected: 0, harmless: 0, failures: 0 };
}

export function addTally(t: Tally, v: Verdict['verdict']): void {
  t.cases++;
  if (v === 'detected') t.detected++;
  else if (v === 'harmless') t.harmless++;
  else t.failures++;
}

function regionOf(f: Fixture, d: Damage): string {
  if (d.kind === 'remove') return 'removed';
  const at = d.kind === 'flip' ? d.bit >> 3 : d.length;
  const r = regionAt(f.regions, at);
  return `${d.kind} ${r === undefined ? 'outside' : regionKind(r.name)}`;
}

export interface SweepOptions {
  timeoutMs: number;
  /** Run `granite check` on every damaged image too (run-case.ts). */
  check: boolean;
  /** Called after every case with the number done so far. */
  onProgress?: (done: number, total: number) => void;
}

export async function runSweep(
  f: Fixture,
  mode: WalRecoveryMode,
  cases: readonly Damage[],
  opts: SweepOptions,
): Promise<SweepResult> {
  const t0 = performance.now();
  const res: SweepResult = {
    fixture: f.name,
    mode,
    total: emptyTally(),
    byRegion: new Map(),
    harmlessStates: new Map(),
    namedTarget: 0,
    failures: [],
    millis: 0,
  };
  const ids = cases.map(caseId);
  const record = (i: number, v: Verdict): void => {
    addTally(res.total, v.verdict);
    const region = regionOf(f, parseCaseId(ids[i]!));
    let t = res.byRegion.get(region);
    if (t === undefined) res.byRegion.set(region, (t = emptyTally()));
    addTally(t, v.verdict);
    if (v.verdict === 'harmless') res.harmlessStates.set(v.state, (res.harmlessStates.get(v.state) ?? 0) + 1);
    if (v.verdict === 'detected' && v.file === f.target) res.namedTarget++;
    if (v.verdict === 'failure') res.failures.push({ id: ids[i]!, verdict: v });
    opts.onProgress?.(res.total.cases, ids.length);
  };
  const checkRoot = opts.check
    ? mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'granite-sweep-'))
    : undefined;
  try {
    let next = 0;
    while (next < ids.length) next = await runBatch(f, mode, ids, next, opts.timeoutMs, checkRoot, record);
  } finally {
    if (checkRoot !== undefined) rmSync(checkRoot, { recursive: true, force: true });
  }
  res.millis = performance.now() - t0;
  return res;
}

/** Runs ids[from..] in one worker until they are done or one hangs; returns the index to go on from. */
function runBatch(
  f: Fixture,
  mode: WalRecoveryMode,
  ids: string[],
  from: number,
  timeoutMs: number,
  checkRoot: string | undefined,
  record: (i: number, v: Verdict) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    let done = from; // every case before `done` has a result
    let last = performance.now();
    let finished = false;
    const finish = (then: () => void): void => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      void worker.terminate().then(then, then);
    };
    const fail = (reason: string): void => {
      record(done, { verdict: 'failure', phase: 'run', reason });
      finish(() => resolve(done + 1));
    };
    const watchdog = setInterval(
      () => {
        if (performance.now() - last > timeoutMs) fail(`hang: no result within ${timeoutMs} ms`);
      },
      Math.min(1000, timeoutMs),
    );
    worker.on('message', (m: SweepMessage) => {
      last = performance.now();
      if ('done' in m) {
        finish(() => resolve(ids.length));
        return;
      }
      record(from + m.i, m.verdict);
      done = from + m.i + 1;
    });
    worker.on('error', (err) => {
      if (done === from && from === 0)
        finish(() => reject(err)); // the fixture did not build
      else fail(`worker died: ${err.stack ?? err.message}`);
    });
    worker.on('exit', (code) => {
      if (!finished) fail(`worker exited with code ${code}`);
    });
    worker.postMessage({ fixture: f.name, mode, cases: ids.slice(from), checkRoot } satisfies SweepRequest);
  });
}
