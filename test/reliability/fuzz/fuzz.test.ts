// CI variant of decoder fuzzing (main.ts is the long one): 7,000 inputs per target (17 targets), seeded from
// SEED (printed). No input may end in an untyped exception, another error code, an oracle violation, an
// allocation over budget or a hang; every target must both accept and reject some of its inputs (the bloom
// reader never rejects), so that none of them only ever sees garbage or only intact inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../../src/testing/index.js';
import { runFuzz } from './fuzz.js';
import { replayCommand } from './runner.js';
import { TARGETS } from './targets/index.js';

const INPUTS = 7000 * TARGETS.length;
const seed = seedFromEnv();
console.log(`decoder fuzzing: seed ${seed} (rerun with SEED=${seed})`);

test(`decoder fuzzing: ${INPUTS} random and mutated inputs over ${TARGETS.length} targets`, async () => {
  const r = await runFuzz({ seed, inputs: INPUTS, timeoutMs: 60_000 });
  for (const t of r.targets)
    console.log(
      `${t.name}: ${t.inputs} inputs, ${t.accepted} accepted, ${t.rejected} rejected, ${t.failures} failures`,
    );
  const failures = r.failures
    .slice(0, 10)
    .map(
      (f) =>
        `${f.target} #${f.index}: ${f.reason.split('\n')[0]}\n  input: ${f.input.slice(0, 300)}\n  replay: ${replayCommand(f.target, seed, f.index)}`,
    );
  assert.equal(r.failures.length, 0, `seed ${seed}:\n${failures.join('\n')}`);
  const total = r.targets.reduce((n, t) => n + t.inputs, 0);
  assert.ok(total >= 100_000, `${total} inputs`);
  for (const t of r.targets) {
    assert.equal(t.inputs, t.accepted + t.rejected, `${t.name}: every input accounted for`);
    assert.ok(t.accepted > 0, `${t.name} accepted some inputs`);
    if (t.name !== 'bloom') assert.ok(t.rejected > 0, `${t.name} rejected some inputs`);
  }
});
