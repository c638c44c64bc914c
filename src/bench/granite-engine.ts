// granitedb behind the benchmark interface: one WriteBatch per writeBatch(), get/getSync, the sync
// iterator for seeks and scans, stats() and waitForCompaction() for the sustained-write scenario.
import { GraniteDB, WriteBatch } from '../index.js';
import type { BenchEngine, EngineStats, OpenOptions, ScanTotals } from './engine.js';

const SYNC = { sync: true } as const;

/** Options from the environment variable GRANITE_BENCH_OPTIONS (JSON), for trying settings; none by default. */
function benchOptions(): Record<string, unknown> | undefined {
  const raw = process.env['GRANITE_BENCH_OPTIONS'];
  if (raw === undefined || raw === '') return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`GRANITE_BENCH_OPTIONS must be a JSON object, got ${raw}`);
  return parsed as Record<string, unknown>;
}

/** Opens (creating) a granitedb database in `dir`: default options unless GRANITE_BENCH_OPTIONS says otherwise. */
export async function openGranite(dir: string, _options: OpenOptions, version: string): Promise<BenchEngine> {
  const extra = benchOptions();
  const db = await GraniteDB.open(dir, extra);

  const seekSync = (key: Uint8Array, limit: number): number => {
    let n = 0;
    for (const _entry of db.iterator({ gte: key, limit })) n++;
    return n;
  };

  return {
    name: 'granitedb',
    version,
    notes: [
      `${extra === undefined ? 'default options' : `options ${JSON.stringify(extra)}`}; ` +
        'batches: new WriteBatch() per write; iteration: sync iterator',
    ],
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
