// `npm run fuzz`: random and mutated-valid inputs to every decoder (targets/index.ts), in a worker thread
// under a hang watchdog, with Buffer allocations bounded by input size (alloc-meter.ts).
//   --inputs N          total inputs, split evenly over the targets (default 100000)
//   --seed S            seed (printed; default random)
//   --target NAME[,..]  only these targets
//   --replay T:I        run input I of target T in this thread and print it with its outcome
//   --timeout-ms MS     an input that makes no progress for this long is a hang (default 30000)
// Prints the seed, per-target counts (inputs, accepted, rejected, failures, inputs/s) and, for each failure,
// the command that replays it. Exit status 1 on any failure.
import { parseArgs } from 'node:util';
import { installAllocMeter } from './alloc-meter.js';
import { buildCorpus } from './corpus.js';
import { runFuzz } from './fuzz.js';
import { replayCommand, runOne } from './runner.js';
import { TARGETS } from './targets/index.js';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    target: { type: 'string' },
    replay: { type: 'string' },
    'timeout-ms': { type: 'string', default: '30000' },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Math.floor(Math.random() * 2 ** 32);

async function replay(spec: string): Promise<number> {
  const m = /^(.+):(\d+)$/.exec(spec);
  const ti = TARGETS.findIndex((t) => t.name === m?.[1]);
  if (m === null || ti < 0)
    throw new Error(`--replay TARGET:INDEX, TARGET one of ${TARGETS.map((t) => t.name)}`);
  installAllocMeter();
  const r = runOne(TARGETS[ti]!, ti, seed, Number(m[2]), await buildCorpus(seed));
  console.log(JSON.stringify(r, null, 2));
  return 'failure' in r ? 1 : 0;
}

async function main(): Promise<number> {
  if (values.replay !== undefined) return replay(values.replay);
  const inputs = Number(values.inputs);
  console.log(`fuzz: seed ${seed}, ${inputs} inputs`);
  const r = await runFuzz({
    seed,
    inputs,
    only: values.target?.split(','),
    timeoutMs: Number(values['timeout-ms']),
    onProgress: (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${done} / ${total}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  console.log('target              inputs    accepted    rejected  failures   inputs/s');
  for (const t of r.targets) {
    const rate = t.millis > 0 ? Math.round((t.inputs / t.millis) * 1000) : 0;
    console.log(
      `${t.name.padEnd(16)} ${String(t.inputs).padStart(9)} ${String(t.accepted).padStart(11)} ${String(t.rejected).padStart(11)} ${String(t.failures).padStart(9)} ${String(rate).padStart(10)}`,
    );
  }
  const sum = r.targets.reduce((n, t) => n + t.inputs, 0);
  const failed = r.targets.reduce((n, t) => n + t.failures, 0);
  console.log(
    `total: ${sum} inputs, ${failed} failures, ${(r.millis / 1000).toFixed(1)} s, ${Math.round(sum / (r.millis / 1000))} inputs/s (seed ${seed})`,
  );
  for (const f of r.failures.slice(0, 20)) {
    console.log(`FAIL ${f.target} #${f.index}: ${f.reason.split('\n').slice(0, 6).join('\n  ')}`);
    if (f.input !== '') console.log(`  input: ${f.input.slice(0, 400)}`);
    console.log(`  replay: ${replayCommand(f.target, seed, f.index)}`);
  }
  if (r.failures.length > 20) console.log(`... and ${r.failures.length - 20} more failures`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
