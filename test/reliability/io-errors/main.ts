// Long variant of the I/O error sweep: `npm run ioerrors` (= node dist/test/reliability/io-errors/main.js).
// Options: --seed N (default: $SEED or random), --steps N, --keys N, --reopens N (workload shape),
// --styles leveled,tiered (one sweep each), --kinds a,b (names from FAULT_KINDS; default all),
// --from K --to K (fault points, 1-based), --every N (stride), --match TEXT (only fault points whose
// "op path" contains TEXT). Prints the seed and the replay command, progress, each failure with the command
// that replays it, and the figures; exits 1 on any failure.
import { parseArgs } from 'node:util';
import { seedFromEnv } from '../../../src/testing/index.js';
import { faultShape } from '../common/fault-workload.js';
import { FAULT_KINDS, runIoErrors } from './io-errors.js';

const { values: a } = parseArgs({
  options: {
    seed: { type: 'string' },
    steps: { type: 'string', default: '300' },
    keys: { type: 'string', default: '80' },
    reopens: { type: 'string', default: '3' },
    styles: { type: 'string', default: 'leveled,tiered' },
    kinds: { type: 'string', default: FAULT_KINDS.map((k) => k.name).join(',') },
    from: { type: 'string' },
    to: { type: 'string' },
    every: { type: 'string', default: '1' },
    match: { type: 'string' },
  },
});
const seed = a.seed !== undefined ? Number(a.seed) >>> 0 : seedFromEnv();
const shape = faultShape(Number(a.steps), Number(a.keys), Number(a.reopens));
const kinds = a.kinds!.split(',').map((name) => {
  const k = FAULT_KINDS.find((x) => x.name === name);
  if (k === undefined)
    throw new Error(`unknown kind ${name}; known: ${FAULT_KINDS.map((x) => x.name).join(', ')}`);
  return k;
});
const styles = a.styles!.split(',').map((s) => (s === 'tiered' ? 'tiered' : 'leveled'));
const base =
  `node dist/test/reliability/io-errors/main.js --seed ${seed} --steps ${shape.steps} --keys ${shape.keys} ` +
  `--reopens ${shape.reopens}`;
console.log(
  `io-errors sweep: seed ${seed}\nreplay: ${base} --styles ${styles.join(',')} --kinds ${kinds.map((k) => k.name).join(',')}`,
);
let failures = 0;
let points = 0;
const t0 = performance.now();
for (const style of styles) {
  const r = await runIoErrors({
    seed,
    shape,
    style,
    kinds,
    from: a.from !== undefined ? Number(a.from) : undefined,
    to: a.to !== undefined ? Number(a.to) : undefined,
    every: Number(a.every),
    match: a.match,
    deadlineMs: 60_000,
    maxFailures: 50,
    log: (l) => console.log(l),
    replay: `${base} --styles ${style}`,
  });
  failures += r.failures.length;
  for (const k of r.kinds) {
    points += k.faultPoints;
    console.log(
      `${style} ${k.kind}: ${k.calls} calls, ${k.faultPoints} fault points, ${k.apiErrors} typed IO errors ` +
        `from the API, ${k.silent} points no API call reported, ${k.statesChecked} states checked ` +
        `(${k.distinctImages} distinct images), ${k.failures} failures`,
    );
  }
  console.log(`${style}: ${(r.millis / 1000).toFixed(1)} s`);
}
console.log(
  `seed ${seed}: ${points} fault points, failures ${failures}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(failures > 0 ? 1 : 0);
