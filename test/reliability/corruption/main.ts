// `npm run corruption`: the long corruption sweep. For every fixture (fixtures.ts) flips every bit and cuts at
// every offset of the damaged file, plus removes it; WAL fixtures run under 'tolerate-corrupted-tail' and
// 'absolute-consistency'. Prints per sweep: cases, detected, harmless, failures, and the split by region.
//   --fixture NAME[,NAME]  only these fixtures          --mode MODE   only this WAL recovery mode
//   --sample               the CI selection (sampledCases) instead of every case
//   --seed S               seed of the sample (printed; default random)
//   --case ID              replay one case in this thread (flip:BIT | cut:LENGTH | remove), print its verdict
//   --timeout-ms MS        a case with no result for this long is a hang (default 30000)
// Exit status 1 when any case failed; each failure prints the command that replays it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WalRecoveryMode } from '../../../src/index.js';
import { allCases, parseCaseId, sampledCases } from './damage.js';
import { buildFixture, FIXTURE_NAMES, type FixtureName } from './fixtures.js';
import { runCase } from './run-case.js';
import { runSweep, type SweepResult } from './sweep.js';
import { CHECK_MAX_BYTES, CI_SAMPLE, modesFor } from './plan.js';

const { values } = parseArgs({
  options: {
    fixture: { type: 'string' },
    mode: { type: 'string' },
    sample: { type: 'boolean', default: false },
    seed: { type: 'string' },
    case: { type: 'string' },
    'timeout-ms': { type: 'string', default: '30000' },
  },
});

const fixtures = (values.fixture?.split(',') ?? [...FIXTURE_NAMES]) as FixtureName[];
for (const n of fixtures)
  if (!FIXTURE_NAMES.includes(n)) throw new Error(`unknown fixture ${n} (${FIXTURE_NAMES})`);
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const timeoutMs = Number(values['timeout-ms']);

function replayCommand(fixture: string, mode: string, id: string): string {
  return `node dist/test/reliability/corruption/main.js --fixture ${fixture} --mode ${mode} --case ${id}`;
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function print(r: SweepResult): void {
  const t = r.total;
  console.log(
    `${r.fixture.padEnd(10)} ${r.mode.padEnd(23)} cases ${pad(t.cases, 7)}  detected ${pad(t.detected, 7)}  ` +
      `harmless ${pad(t.harmless, 6)}  failures ${pad(t.failures, 4)}  ${(r.millis / 1000).toFixed(1)} s`,
  );
  const regions = [...r.byRegion].sort((a, b) => a[0].localeCompare(b[0]));
  for (const [name, x] of regions)
    console.log(
      `    ${name.padEnd(24)} ${pad(x.cases, 7)} cases: ${x.detected} detected, ${x.harmless} harmless, ${x.failures} failed`,
    );
  const states = [...r.harmlessStates].map(([s, n]) => `${s} ${n}`).join(', ');
  console.log(
    `    harmless states: ${states || '-'}; detections naming the damaged file: ${r.namedTarget}/${t.detected}`,
  );
  for (const f of r.failures.slice(0, 20)) {
    console.log(`  FAIL ${f.id} [${f.verdict.phase}] ${f.verdict.reason}`);
    console.log(`    replay: ${replayCommand(r.fixture, r.mode, f.id)}`);
  }
  if (r.failures.length > 20) console.log(`  ... and ${r.failures.length - 20} more failures`);
}

async function main(): Promise<number> {
  if (values.case !== undefined) {
    if (fixtures.length !== 1) throw new Error('--case needs exactly one --fixture');
    const f = await buildFixture(fixtures[0]!);
    const mode = (values.mode ?? 'tolerate-corrupted-tail') as WalRecoveryMode;
    const root = mkdtempSync(join(tmpdir(), 'granite-case-'));
    const v = await runCase(
      f,
      parseCaseId(values.case),
      mode,
      f.bytes.length <= CHECK_MAX_BYTES ? root : undefined,
    );
    rmSync(root, { recursive: true, force: true });
    console.log(JSON.stringify(v, null, 2));
    return v.verdict === 'failure' ? 1 : 0;
  }
  console.log(
    `corruption sweep: ${values.sample ? `sampled (seed ${seed})` : 'every bit, every cut'}, fixtures ${fixtures.join(', ')}`,
  );
  const t0 = performance.now();
  const sum = { cases: 0, detected: 0, harmless: 0, failures: 0 };
  for (const name of fixtures) {
    const f = await buildFixture(name);
    const cases = values.sample ? sampledCases(f, seed, CI_SAMPLE.maxBytes, CI_SAMPLE.sample) : allCases(f);
    for (const mode of modesFor(f, values.mode as WalRecoveryMode | undefined)) {
      const r = await runSweep(f, mode, cases, { timeoutMs, check: f.bytes.length <= CHECK_MAX_BYTES });
      print(r);
      sum.cases += r.total.cases;
      sum.detected += r.total.detected;
      sum.harmless += r.total.harmless;
      sum.failures += r.total.failures;
    }
  }
  console.log(
    `total: ${sum.cases} cases, ${sum.detected} detected, ${sum.harmless} harmless, ${sum.failures} failures, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return sum.failures > 0 ? 1 : 0;
}

process.exitCode = await main();
