// `npm run crashtest` -- the long kill loop (loop.ts).
//   node dist/test/reliability/crashtest/main.js [--cycles N] [--seed S] [--dir D] [--quiet]
// --dir keeps the working directory (database in D/db); without it a temp directory is used and removed
// unless a cycle failed. Exit code 1 when a cycle failed. The same seed replays the same plan (options, kill
// delays and aims, op streams); where in the op stream a kill lands depends on the machine's timing.
import { parseArgs } from 'node:util';
import { makeTempDir, removeDir, seedFromEnv } from '../../../src/testing/index.js';
import { runKillLoop, type LoopSummary } from './loop.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    dir: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : seedFromEnv();
const cycles = Number(values.cycles);
const dir = values.dir ?? makeTempDir('granite-crashtest-');
const replay = `node dist/test/reliability/crashtest/main.js --cycles ${cycles} --seed ${seed}`;
console.log(`crashtest seed=${seed} cycles=${cycles} dir=${dir}`);
console.log(`replay: ${replay}`);

const s: LoopSummary = await runKillLoop({
  seed,
  cycles,
  dir,
  log: values.quiet ? undefined : (line) => console.log(line),
});

console.log(
  [
    `seed ${s.seed}`,
    `cycles ${s.cyclesRun} (leveled ${s.styles.leveled}, tiered ${s.styles.tiered}; codecs ${JSON.stringify(s.compressions)})`,
    `ops begun ${s.opsBegun}, acknowledged ${s.opsAcked} (sync ${s.syncAcked}, non-sync ${s.nonSyncAcked}, ` +
      `batches ${s.batchesAcked})`,
    `in flight at the kills ${s.inflight}, of which recovery applied ${s.inflightApplied}`,
    `kills during a compaction ${s.killsDuringCompaction}, with a flush pending ${s.killsWithFlushPending}, ` +
      `leaving unreferenced tables ${s.killsLeavingPartialTables}`,
    `flushes ${s.flushesBeforeKills} and compactions ${s.compactionsBeforeKills} before the kills`,
    `live keys at the end ${s.liveKeys}`,
    `failures ${s.failures.length}`,
    `elapsed ${(s.elapsedMs / 1000).toFixed(1)} s`,
  ].join('\n'),
);
if (s.failures.length > 0) {
  for (const f of s.failures) {
    console.log(`FAILED cycle ${f.cycle}:`);
    for (const p of f.problems.slice(0, 20)) console.log(`  ${p}`);
  }
  console.log(`database and journal kept in ${dir}`);
  console.log(`replay: ${replay}`);
  process.exitCode = 1;
} else if (values.dir === undefined) {
  removeDir(dir);
}
