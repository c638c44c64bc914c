// Worker-thread entry of the sweep (the only file here that touches parentPort): runs the cases it is sent,
// in order, and posts one message per finished case, so the main thread's watchdog can tell which case hangs
// and terminate the worker (which also stops a synchronous infinite loop).
//   in:  { fixture, mode, cases: case ids, checkRoot }
//   out: { i, verdict } per case, then { done: true }
import { parentPort } from 'node:worker_threads';
import type { WalRecoveryMode } from '../../../src/index.js';
import { parseCaseId } from './damage.js';
import { buildFixture, type Fixture, type FixtureName } from './fixtures.js';
import { runCase, type Verdict } from './run-case.js';

export interface SweepRequest {
  fixture: FixtureName;
  mode: WalRecoveryMode;
  cases: string[];
  /** Scratch directory for `granite check` runs; none: no check phase. */
  checkRoot: string | undefined;
}
export type SweepMessage = { i: number; verdict: Verdict } | { done: true };

const fixtures = new Map<FixtureName, Promise<Fixture>>();
const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread');

port.on('message', (req: SweepRequest) => {
  void (async () => {
    let f = fixtures.get(req.fixture);
    if (f === undefined) fixtures.set(req.fixture, (f = buildFixture(req.fixture)));
    const fixture = await f;
    for (let i = 0; i < req.cases.length; i++) {
      let verdict: Verdict;
      try {
        verdict = await runCase(fixture, parseCaseId(req.cases[i]!), req.mode, req.checkRoot);
      } catch (err) {
        verdict = {
          verdict: 'failure',
          phase: 'close',
          reason: `untyped exception: ${(err as Error)?.stack}`,
        };
      }
      port.postMessage({ i, verdict } satisfies SweepMessage);
    }
    port.postMessage({ done: true } satisfies SweepMessage);
  })();
});
