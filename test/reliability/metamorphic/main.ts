// `npm run metamorphic` -- the long metamorphic run (suite.ts):
//   node dist/test/reliability/metamorphic/main.js [--seed S] [--seeds N] [--ops N] [--random-sets K]
//                                                  [--set SPEC] [--quiet]
// Seeds S, S+1, ..., S+N-1; each log has --ops generated ops (plus a final reopen and scan) and runs under the
// fixed option sets plus K random ones drawn from the seed (or only under --set SPEC, the replay form a failure
// prints). Exit code 1 when any set diverged from the model.
import { parseArgs } from 'node:util';
import { Rng, seedFromEnv } from '../../../src/testing/index.js';
import { compressionsThatValidate } from './compressions.js';
import { fixedSets, formatSet, parseSet, randomSet, type OptionSet } from './option-sets.js';
import { runSeed } from './suite.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '50' },
    ops: { type: 'string', default: '3000' },
    'random-sets': { type: 'string', default: '4' },
    set: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const first = values.seed !== undefined ? Number(values.seed) >>> 0 : seedFromEnv();
const seeds = Number(values.seeds);
const nOps = Number(values.ops);
const randomSets = Number(values['random-sets']);
const compressions = compressionsThatValidate();
const t0 = performance.now();
console.log(
  `metamorphic seeds ${first}..${first + seeds - 1} ops ${nOps} codecs ${compressions.join(',')}` +
    `${values.set !== undefined ? ` set ${values.set}` : ` fixed sets ${fixedSets(compressions).length} + ${randomSets} random per seed`}`,
);
console.log(
  `replay: node dist/test/reliability/metamorphic/main.js --seed ${first} --seeds ${seeds} --ops ${nOps}` +
    `${values.set !== undefined ? ` --set '${values.set}'` : ` --random-sets ${randomSets}`}`,
);

let runs = 0;
let opsReplayed = 0;
let reads = 0;
let flushes = 0;
let compactions = 0;
let opens = 0;
const specs = new Set<string>();
const failures: string[] = [];
for (let n = 0; n < seeds; n++) {
  const seed = (first + n) >>> 0;
  let sets: OptionSet[];
  if (values.set !== undefined) sets = [parseSet(values.set)];
  else {
    const rng = new Rng(seed ^ 0x9e3779b9);
    sets = [
      ...fixedSets(compressions),
      ...Array.from({ length: randomSets }, () => randomSet(rng, compressions)),
    ];
  }
  const r = await runSeed(seed, nOps, sets, compressions);
  for (const { spec, run } of r.runs) {
    runs++;
    specs.add(spec);
    opsReplayed += r.ops;
    reads += r.reads;
    flushes += run.tally.flushes;
    compactions += run.tally.compactions;
    opens += run.tally.opens;
  }
  failures.push(...r.failures);
  if (!values.quiet || r.failures.length > 0) {
    const slowest = Math.max(...r.runs.map((x) => x.run.ms));
    console.log(
      `seed ${seed}: ${r.ops} ops (${r.reads} reads) x ${r.runs.length} sets, ${r.failures.length} failures, ` +
        `slowest set ${(slowest / 1000).toFixed(1)} s`,
    );
  }
  for (const f of r.failures) console.log(f);
}
console.log(
  [
    `seeds ${seeds} (${first}..${first + seeds - 1}), ops per log ${nOps + 2}`,
    `option-set runs ${runs} (${specs.size} distinct sets), ops replayed ${opsReplayed}, reads compared ${reads}`,
    `engine: ${opens} opens, ${flushes} flushes, ${compactions} compactions`,
    `failures ${failures.length}`,
    `elapsed ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  ].join('\n'),
);
if (values.set === undefined && !values.quiet) {
  console.log(`fixed sets:\n  ${fixedSets(compressions).map(formatSet).join('\n  ')}`);
}
if (failures.length > 0) process.exitCode = 1;
