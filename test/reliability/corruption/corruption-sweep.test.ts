// CI variant of the corruption sweep (main.ts is the long one): every bit flip, every truncation and the
// removal of the small fixtures (WAL, MANIFEST, CURRENT); for the table and the three-block WAL, every bit
// and cut within 16 bytes of a block or record edge plus a seeded sample of 1500 flips and 1500 cuts.
// `granite check` runs on every damaged image of files up to 4 KiB. Each case must be detected or harmless
// (rules.ts). The seed comes from SEED (printed); a failure prints the command that replays its case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../../src/testing/index.js';
import { sampledCases } from './damage.js';
import { buildFixture, FIXTURE_NAMES } from './fixtures.js';
import { CHECK_MAX_BYTES, CI_SAMPLE, modesFor } from './plan.js';
import { runSweep } from './sweep.js';

const seed = seedFromEnv();
console.log(`corruption sweep: seed ${seed} (rerun this sample with SEED=${seed})`);

for (const name of FIXTURE_NAMES) {
  const f = await buildFixture(name);
  const cases = sampledCases(f, seed, CI_SAMPLE.maxBytes, CI_SAMPLE.sample);
  for (const mode of modesFor(f)) {
    const what = f.bytes.length <= CI_SAMPLE.maxBytes ? 'every bit, every cut' : 'edges and a sample';
    test(`corruption sweep ${name} (${f.target}, ${f.bytes.length} B), ${mode}: ${what}, each detected or harmless`, async () => {
      const r = await runSweep(f, mode, cases, {
        timeoutMs: 60_000,
        check: f.bytes.length <= CHECK_MAX_BYTES,
      });
      const t = r.total;
      console.log(
        `${name} ${mode}: ${t.cases} cases, ${t.detected} detected, ${t.harmless} harmless, ${t.failures} failures`,
      );
      const lines = r.failures
        .slice(0, 10)
        .map(
          (x) =>
            `${x.id} [${x.verdict.phase}] ${x.verdict.reason}\n  replay: node dist/test/reliability/corruption/main.js --fixture ${name} --mode ${mode} --case ${x.id}`,
        );
      assert.equal(t.failures, 0, `${t.failures} failures (seed ${seed}):\n${lines.join('\n')}`);
      assert.equal(t.cases, cases.length);
      assert.ok(t.detected > 0, 'some damage is detected');
      if (name === 'sst') {
        // A table has no byte a reader ignores: every flipped bit is detected.
        const flips = [...r.byRegion].filter(([k]) => k.startsWith('flip'));
        for (const [region, x] of flips)
          assert.equal(x.detected, x.cases, `every flip in ${region} detected`);
      }
      if (f.structure === 'wal' && mode === 'tolerate-corrupted-tail') {
        assert.ok((r.harmlessStates.get('prefix:0') ?? 0) > 0, 'a torn first record leaves nothing');
        assert.ok(t.harmless > 0, 'torn tails are dropped without an error');
      }
    });
  }
}
