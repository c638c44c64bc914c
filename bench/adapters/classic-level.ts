// classic-level 3 (LevelDB 1.20) adapter: chained batch without an options object, native getSync,
// iterators read with nextv (one native call per chunk). classic-level has no sync iteration.
// Stats and idleness come from LevelDB's properties: 'leveldb.sstables' (files and bytes per level) and
// 'leveldb.stats' (MB written by flushes and compactions per level). LevelDB has no "wait for
// compaction" call: idle is when no level is due (L0 files < 4, level L ≥ 1 under 10^L MiB, LevelDB
// 1.20's score < 1) and 'leveldb.sstables' did not change over IDLE_POLLS polls IDLE_POLL_MS apart.
// `compacting` in stats() is "a level is due" by that rule: LevelDB does not say whether its background
// thread is running, and it compacts whenever a level is due (seek compactions are not seen).
import { setTimeout as sleep } from 'node:timers/promises';
import { ClassicLevel } from 'classic-level';
import type { Bytes, Engine, EngineStats, OpenOptions, ScanTotals, TreeLevel } from './engine.js';
import { engineVersion } from './versions.js';

const SCAN_CHUNK = 1000;
const IDLE_POLL_MS = 250;
const IDLE_POLLS = 4;
const IDLE_TIMEOUT_MS = 30 * 60_000;
const MIB = 1048576;
/** LevelDB 1.20 (db/version_set.cc): L0 compacts at 4 files; level L ≥ 1 holds 10^L MiB. */
const L0_TRIGGER = 4;
const maxBytesForLevel = (level: number): number => 10 * MIB * 10 ** (level - 1);

/** Files and bytes per level from LevelDB's 'leveldb.sstables' property (lines ` num:size[...]`). */
export function parseSstables(text: string): TreeLevel[] {
  const levels: TreeLevel[] = [];
  let cur: TreeLevel | undefined;
  for (const line of text.split('\n')) {
    const head = /^--- level (\d+) ---$/.exec(line);
    if (head) {
      cur = { level: Number(head[1]), files: 0, bytes: 0 };
      levels.push(cur);
      continue;
    }
    const file = /^\s*\d+:(\d+)\[/.exec(line);
    if (file && cur) {
      cur.files++;
      cur.bytes += Number(file[1]);
    }
  }
  return levels;
}

/** Sum of the Write(MB) column of 'leveldb.stats', in bytes (flush and compaction output). */
export function parseStatsWritten(text: string): number {
  let mb = 0;
  for (const line of text.split('\n')) {
    const row = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (row) mb += Number(row[6]);
  }
  return mb * MIB;
}

const due = (levels: readonly TreeLevel[]): boolean =>
  levels.some((l) => (l.level === 0 ? l.files >= L0_TRIGGER : l.bytes >= maxBytesForLevel(l.level)));

export async function open(dir: string, _options: OpenOptions): Promise<Engine> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const asBuf = (b: Bytes): Buffer => b as Buffer;

  return {
    name: 'classic-level',
    version: engineVersion('classic-level'),
    notes: [
      "keyEncoding/valueEncoding 'buffer'; default LevelDB options",
      'seek/scan: iterator().nextv() (no sync iteration)',
    ],
    idleMethod:
      `no level due for compaction (L0 < ${L0_TRIGGER} files, level L ≥ 1 < 10^L MiB) and 'leveldb.sstables' ` +
      `unchanged for ${IDLE_POLLS} polls ${IDLE_POLL_MS} ms apart`,
    async writeBatch(keys, values) {
      const batch = db.batch();
      for (let i = 0; i < keys.length; i++) batch.put(asBuf(keys[i]!), asBuf(values[i]!));
      await batch.write();
    },
    put(key, value, sync) {
      return sync ? db.put(asBuf(key), asBuf(value), { sync: true }) : db.put(asBuf(key), asBuf(value));
    },
    get(key) {
      return db.get(asBuf(key));
    },
    getSync(key) {
      return db.getSync(asBuf(key));
    },
    async seek(key, limit) {
      // nextv() may return fewer than asked (it stops at highWaterMarkBytes, 16 KiB): read until done.
      const it = db.iterator({ gte: asBuf(key), limit });
      let n = 0;
      for (;;) {
        const chunk = await it.nextv(limit - n);
        n += chunk.length;
        if (chunk.length === 0 || n >= limit) break;
      }
      await it.close();
      return n;
    },
    async scan(): Promise<ScanTotals> {
      const it = db.iterator();
      let entries = 0;
      let bytes = 0;
      for (;;) {
        const chunk = await it.nextv(SCAN_CHUNK);
        if (chunk.length === 0) break;
        for (const [k, v] of chunk) bytes += k.length + v.length;
        entries += chunk.length;
      }
      await it.close();
      return { entries, bytes };
    },
    stats(): EngineStats {
      const levels = parseSstables(db.getProperty('leveldb.sstables'));
      return {
        levels,
        compacting: due(levels),
        bytesWritten: { bytes: parseStatsWritten(db.getProperty('leveldb.stats')), includesWal: false },
      };
    },
    async waitForCompaction() {
      const deadline = Date.now() + IDLE_TIMEOUT_MS;
      let last = '';
      let same = 0;
      while (same < IDLE_POLLS) {
        if (Date.now() > deadline)
          throw new Error('classic-level: compaction still running after 30 minutes');
        await sleep(IDLE_POLL_MS);
        const now = db.getProperty('leveldb.sstables');
        same = now === last && !due(parseSstables(now)) ? same + 1 : 0;
        last = now;
      }
    },
    close() {
      return db.close();
    },
  };
}
