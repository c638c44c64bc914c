// CI variant of the power-loss sweep (power-loss.ts; the long run is `npm run powerloss`): small seeded
// workloads (leveled and tiered compaction), a crash after every one of their file-system calls, each crash
// image in every mode (tear with two seeds) checked against the durability contract. Rerun a failure with
// the printed command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../../src/testing/index.js';
import { faultShape } from '../common/fault-workload.js';
import { formatFailure } from '../common/fault-sweep.js';
import { runPowerLoss } from './power-loss.js';

const seed = seedFromEnv();
console.log(`power-loss.test seed=${seed} (rerun with SEED=${seed})`);

for (const [style, steps] of [
  ['leveled', 90],
  ['tiered', 70],
] as const) {
  test(`power loss after every file-system call of a workload (${style}): every crash image opens as a prefix of the writes holding every durable one`, async () => {
    const shape = faultShape(steps, 60, 2);
    const replay =
      `node dist/test/reliability/power-loss/main.js --seed ${seed} --steps ${steps} --keys ${shape.keys} ` +
      `--reopens ${shape.reopens} --styles ${style} --modes drop-unsynced,keep-unsynced,tear --tear-seeds 2`;
    const r = await runPowerLoss({
      seed,
      shape,
      style,
      modes: ['drop-unsynced', 'keep-unsynced', 'tear'],
      tearSeeds: 2,
      deadlineMs: 20_000,
      replay,
    });
    assert.deepEqual(r.failures.map(formatFailure), [], `replay: ${replay}`);
    // The workload reached every kind of step the contract covers: table writes (flush and compaction),
    // MANIFEST switches (open and each reopen), WAL deletions.
    assert.equal(r.crashPoints, r.calls);
    assert.equal(r.statesChecked, r.crashPoints * 4);
    assert.ok(r.census['tables']! >= 8, JSON.stringify(r.census));
    assert.ok(r.census['manifests']! >= 1 + shape.reopens, JSON.stringify(r.census));
    assert.ok(r.census['unlink']! > 0 && r.census['rename']! > 0, JSON.stringify(r.census));
    console.log(
      `power-loss.test seed=${seed} ${style}: ${r.crashPoints} crash points, ${r.statesChecked} states ` +
        `checked (${r.distinctImages} distinct images), ${(r.millis / 1000).toFixed(1)} s`,
    );
  });
}
