// CI variant of the I/O error sweep (io-errors.ts; the long run is `npm run ioerrors`): small seeded
// workloads (leveled and tiered compaction), every call failed once and from then on (EIO, ENOSPC; writes
// only, and reads counted too). Rerun a failure with the printed command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../../src/testing/index.js';
import { faultShape } from '../common/fault-workload.js';
import { formatFailure } from '../common/fault-sweep.js';
import { FAULT_KINDS, runIoErrors } from './io-errors.js';

const seed = seedFromEnv();
console.log(`io-errors.test seed=${seed} (rerun with SEED=${seed})`);

for (const [style, steps] of [
  ['leveled', 50],
  ['tiered', 35],
] as const) {
  test(`an I/O error at every file-system call (${style}): typed IO errors only, no partial batch, a clean reopen holding every acknowledged write`, async () => {
    const shape = faultShape(steps, 40, 2);
    const replay =
      `node dist/test/reliability/io-errors/main.js --seed ${seed} --steps ${steps} --keys ${shape.keys} ` +
      `--reopens ${shape.reopens} --styles ${style}`;
    const r = await runIoErrors({ seed, shape, style, kinds: FAULT_KINDS, deadlineMs: 20_000, replay });
    assert.deepEqual(r.failures.map(formatFailure), [], `replay: ${replay}`);
    for (const k of r.kinds) {
      assert.equal(k.faultPoints, k.calls, k.kind);
      assert.ok(k.apiErrors > k.faultPoints / 2, `${k.kind}: the API reported the faults (${k.apiErrors})`);
    }
    const total = r.kinds.reduce((s, k) => s + k.faultPoints, 0);
    console.log(
      `io-errors.test seed=${seed} ${style}: ${total} fault points, ${(r.millis / 1000).toFixed(1)} s`,
    );
  });
}
