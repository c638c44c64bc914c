// `npm start`: opens an embedded database in ./granite-data, writes, reads, scans, and prints its stats.
import { GraniteDB, WriteBatch } from '../src/index.js';

const db = await GraniteDB.open('./granite-data');
try {
  await db.put('greeting', 'hello, granite');
  const batch = new WriteBatch();
  for (let i = 0; i < 1000; i++) batch.put(`user:${String(i).padStart(4, '0')}`, JSON.stringify({ id: i }));
  batch.delete('user:0003');
  await db.write(batch, { sync: true });

  console.log('get greeting       ->', (await db.get('greeting'))?.toString());
  console.log('getSync user:0042  ->', db.getSync('user:0042')?.toString());
  console.log('get user:0003      ->', await db.get('user:0003'), '(deleted in the batch)');

  const snap = db.snapshot();
  await db.put('greeting', 'changed after the snapshot');
  console.log('through snapshot   ->', db.getSync('greeting', { snapshot: snap })?.toString());
  snap.release();

  console.log('scan prefix user:000, first 5:');
  for (const [key, value] of db.iterator({ prefix: 'user:000', limit: 5 })) {
    console.log('  ', key!.toString(), value!.toString());
  }
  await db.flush();
  const s = db.stats();
  console.log(
    'stats:',
    JSON.stringify({
      seq: s.seq,
      memtableBytes: s.memtableBytes,
      levels: s.levels.filter((l) => l.files > 0),
      writes: s.counters.writes,
      flushes: s.counters.flushes,
    }),
  );
} finally {
  await db.close();
}
