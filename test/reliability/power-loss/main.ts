// Long variant of the power-loss sweep: `npm run powerloss` (= node dist/test/reliability/power-loss/main.js).
// Options: --seed N (default: $SEED or random), --steps N, --keys N, --reopens N (workload shape),
// --styles leveled,tiered (one sweep each), --modes drop-unsynced,keep-unsynced,tear, --tear-seeds N,
// --from K --to K (crash points, 1-based), --match TEXT (only crash points whose "op path" contains TEXT).
// Prints the seed and the replay command, progress, each failure with the command that replays it, and the
// figures; exits 1 on any failure.
import { parseArgs } from 'node:util';
import { seedFromEnv } from '../../../src/testing/index.js';
import { faultShape } from '../common/fault-workload.js';
import { runPowerLoss, type PowerLossMode } from './power-loss.js';

const { values: a } = parseArgs({
  options: {
    seed: { type: 'string' },
    steps: { type: 'string', default: '1000' },
    keys: { type: 'string', default: '120' },
    reopens: { type: 'string', default: '3' },
    styles: { type: 'string', default: 'leveled,tiered' },
    modes: { type: 'string', default: 'drop-unsynced,keep-unsynced,tear' },
    'tear-seeds': { type: 'string', default: '3' },
    from: { type: 'string' },
    to: { type: 'string' },
    match: { type: 'string' },
  },
});
const seed = a.seed !== undefined ? Number(a.seed) >>> 0 : seedFromEnv();
const shape = faultShape(Number(a.steps), Number(a.keys), Number(a.reopens));
const modes = a.modes!.split(',') as PowerLossMode[];
const styles = a.styles!.split(',').map((s) => (s === 'tiered' ? 'tiered' : 'leveled'));
const base =
  `node dist/test/reliability/power-loss/main.js --seed ${seed} --steps ${shape.steps} --keys ${shape.keys} ` +
  `--reopens ${shape.reopens} --modes ${modes.join(',')} --tear-seeds ${a['tear-seeds']}`;
console.log(`power-loss sweep: seed ${seed}\nreplay: ${base} --styles ${styles.join(',')}`);
let failures = 0;
const t0 = performance.now();
for (const style of styles) {
  const r = await runPowerLoss({
    seed,
    shape,
    style,
    modes,
    tearSeeds: Number(a['tear-seeds']),
    from: a.from !== undefined ? Number(a.from) : undefined,
    to: a.to !== undefined ? Number(a.to) : undefined,
    match: a.match,
    deadlineMs: 60_000,
    maxFailures: 50,
    log: (l) => console.log(l),
    replay: `${base} --styles ${style}`,
  });
  failures += r.failures.length;
  console.log(
    `${style}: ${r.calls} file-system calls in the workload ${JSON.stringify(r.census)}\n` +
      `${style}: crash points ${r.crashPoints}, states checked ${r.statesChecked} ` +
      `(${r.distinctImages} distinct images), failures ${r.failures.length}, ${(r.millis / 1000).toFixed(1)} s`,
  );
}
console.log(`seed ${seed}: failures ${failures}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failures > 0 ? 1 : 0);
