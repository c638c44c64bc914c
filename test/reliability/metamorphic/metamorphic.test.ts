// CI variant of the metamorphic runs (`npm run metamorphic` is the long one): 3 seeds, each one log of 1000
// ops replayed under every fixed option set (option-sets.ts); every result must equal the Map model's, so the
// sets agree with each other too. A failure names the seed, the set and the first diverging op, and prints
// the command that replays exactly that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../../src/testing/index.js';
import { compressionsThatValidate } from './compressions.js';
import { fixedSets } from './option-sets.js';
import { generateLog } from './ops.js';
import { modelResults } from './run.js';
import { runSeed } from './suite.js';

const SEEDS = 3;
const OPS = 1000;
const first = seedFromEnv();
console.log(
  `metamorphic.test seed=${first} (rerun with SEED=${first}; seeds ${first}..${first + SEEDS - 1})`,
);
const compressions = compressionsThatValidate();
const sets = fixedSets(compressions);

for (let n = 0; n < SEEDS; n++) {
  const seed = (first + n) >>> 0;
  test(`metamorphic: seed ${seed}, ${OPS} ops, ${sets.length} option sets agree with the Map model`, async () => {
    const r = await runSeed(seed, OPS, sets, compressions);
    const tally = r.runs.map(
      ({ spec, run }) => `${spec}: ${JSON.stringify(run.tally)} ${run.ms.toFixed(0)} ms`,
    );
    console.log(`metamorphic seed ${seed}: ${r.ops} ops, ${r.reads} reads\n  ${tally.join('\n  ')}`);
    assert.deepEqual(r.failures, [], r.failures.join('\n'));
    // The sets did what they are named for: tiny memtables flushed and compacted, rotate sets reopened.
    for (const { spec, run } of r.runs) {
      assert.ok(run.tally.opens > 1, `${spec} reopened`);
      if (spec.includes('mem=tiny')) assert.ok(run.tally.compactions > 0, `${spec} compacted`);
    }
  });
}

test('metamorphic: the model side is deterministic and the log holds every op kind', async () => {
  const ops = generateLog(first, OPS);
  assert.deepEqual(generateLog(first, OPS), ops);
  assert.deepEqual(await modelResults(ops), await modelResults(ops));
  const kinds = new Set(ops.map((o) => o.t));
  for (const t of ['put', 'del', 'batch', 'get', 'getSync', 'getMany', 'iter', 'snap', 'release', 'flush'])
    assert.ok(kinds.has(t as never), `log has ${t}`);
  assert.ok(kinds.has('compactRange') && kinds.has('reopen'));
  assert.deepEqual(compressions.slice(0, 1), ['none']);
});
