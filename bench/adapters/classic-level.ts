// classic-level 3 (LevelDB 1.20) adapter: chained batch without an options object, native getSync,
// iterators read with nextv (one native call per chunk). classic-level has no sync iteration.
import { ClassicLevel } from 'classic-level';
import type { Bytes, Engine, OpenOptions, ScanTotals } from './engine.js';
import { engineVersion } from './versions.js';

const SCAN_CHUNK = 1000;

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
      const it = db.iterator({ gte: asBuf(key), limit });
      const entries = await it.nextv(limit);
      await it.close();
      return entries.length;
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
    close() {
      return db.close();
    },
  };
}
