// granitedb behind the benchmark interface: one WriteBatch per writeBatch(), get/getSync, the sync
// iterator for seeks and scans, stats() and waitForCompaction() for the sustained-write scenario.
import { GraniteDB, WriteBatch } from '../index.js';
import type { BenchEngine, EngineStats, OpenOptions, ScanTotals } from './engine.js';

const SYNC = { sync: true } as const;

/** Opens (creating) a granitedb database in `dir` with default options. */
export async function openGranite(dir: string, _options: OpenOptions, version: string): Promise<BenchEngine> {
  const db = await GraniteDB.open(dir);

  const seekSync = (key: Uint8Array, limit: number): number => {
    let n = 0;
    for (const _entry of db.iterator({ gte: key, limit })) n++;
    return n;
  };

  return {
    name: 'granitedb',
    version,
    notes: ['default options; batches: new WriteBatch() per write; iteration: sync iterator'],
    idleMethod: 'db.waitForCompaction()',
    writeBatch(keys, values) {
      const batch = new WriteBatch();
      for (let i = 0; i < keys.length; i++) batch.put(keys[i]!, values[i]!);
      return db.write(batch);
    },
    put(key, value, sync) {
      return sync ? db.put(key, value, SYNC) : db.put(key, value);
    },
    get(key) {
      return db.get(key);
    },
    getSync(key) {
      return db.getSync(key);
    },
    async seek(key, limit) {
      return seekSync(key, limit);
    },
    seekSync,
    async scan(): Promise<ScanTotals> {
      let entries = 0;
      let bytes = 0;
      for (const [k, v] of db.iterator()) {
        bytes += k!.length + v!.length;
        entries++;
      }
      return { entries, bytes };
    },
    stats(): EngineStats {
      const s = db.stats();
      const c = s.counters;
      return {
        levels: s.levels.map(({ level, files, bytes }) => ({ level, files, bytes })),
        bytesWritten: { bytes: c.bytesWrittenToDisk, includesWal: true },
        stalls: {
          count: c.stalls + c.slowdowns + c.stopStalls,
          millis: c.stallMillis,
          detail:
            `${c.stalls} memtable-full waits, ${c.slowdowns} slowdowns, ${c.stopStalls} stops` +
            ('pendingBytesStops' in c
              ? ` (of which for pending compaction bytes: ${c.pendingBytesSlowdowns} slowdowns, ${c.pendingBytesStops} stops)`
              : ''),
        },
        compacting: s.compacting,
      };
    },
    waitForCompaction() {
      return db.waitForCompaction();
    },
    close() {
      return db.close();
    },
  };
}
