// Child process for sigkill.test.ts: opens the database in argv[2] and writes until killed, printing
// "ack <n>" on stdout after each write resolved. Modes (argv[3]): 'sync' (put, sync: true), 'nosync'
// (put, sync: false), 'batch' (5-put batches, alternating sync), 'flush' (sync puts with frequent flush()
// calls running concurrently). Round number argv[4] prefixes keys; argv[5] is memtableSize.
import { GraniteDB, WriteBatch } from '../../src/index.js';
import { crashValue } from './values.js';

const [dir, mode, roundArg, memArg] = process.argv.slice(2);
const round = Number(roundArg);
const db = await GraniteDB.open(dir!, {
  memtableSize: Number(memArg),
  blockSize: 256,
  restartInterval: 4,
});
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
  process.stdout.write(`ack ${n}\n`);
}
