// Child process for sigkill.test.ts: opens the database in argv[2] and writes until killed, printing
// "ack <n> <flushes> <compactions> <compacting 0|1> <immutable memtables>" on stdout after each write
// resolved (the counters come from db.stats(), so the parent knows whether flushes and compactions ran and
// whether one was under way when it killed). Modes (argv[3]): 'sync' (put, sync: true), 'nosync' (put,
// sync: false), 'batch' (5-put batches, alternating sync), 'flush' (sync puts with frequent flush() calls
// running concurrently). Round number argv[4] prefixes keys; argv[5] is memtableSize; argv[6] is the
// compaction preset: 'default', or 'leveled' / 'tiered' for compactionOptions() (tiny target files and
// levels, L0 trigger 2: compaction runs all the time, in a worker thread).
import { GraniteDB, WriteBatch, type Options } from '../../src/index.js';
import { compactionOptions } from '../../src/testing/index.js';
import { crashValue } from './values.js';

const [dir, mode, roundArg, memArg, presetArg = 'default'] = process.argv.slice(2);
const round = Number(roundArg);
const base: Partial<Options> = { memtableSize: Number(memArg), blockSize: 256, restartInterval: 4 };
const options =
  presetArg === 'leveled' || presetArg === 'tiered'
    ? compactionOptions(presetArg, { ...base, backgroundThreads: 1, flushInWorker: true })
    : base;
const db = await GraniteDB.open(dir!, options);
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  if (mode === 'batch') {
    const b = new WriteBatch();
    for (let j = 0; j < 5; j++) b.put(`r${round}/b${n}/${j}`, crashValue(round, n * 10 + j));
    await db.write(b, { sync: n % 2 === 0 });
  } else {
    const p = db.put(`r${round}/k${n}`, crashValue(round, n), { sync: mode !== 'nosync' });
    if (mode === 'flush' && n % 8 === 0) void db.flush().catch(() => undefined);
    await p;
  }
  const s = db.stats();
  const c = s.counters;
  process.stdout.write(
    `ack ${n} ${c.flushes} ${c.compactions} ${s.compacting ? 1 : 0} ${s.immutableMemtables}\n`,
  );
}
