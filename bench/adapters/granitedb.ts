// granitedb adapter, written against ../shared/API.md. The engine is imported at run time from the
// compiled tree (dist/src/index.js) so the harness compiles and runs for the peers before src/ has
// an index; the local types below are the slice of the API contract the benchmark uses.
// Batches: one WriteBatch per write(); reads: get/getSync; iteration: the sync iterator.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bytes, Engine, OpenOptions, ScanTotals } from './engine.js';
import { engineVersion } from './versions.js';

type Entry = [Bytes | undefined, Bytes | undefined];

interface GraniteIterator extends Iterable<Entry> {
  close(): void;
}
interface GraniteWriteBatch {
  put(key: Bytes, value: Bytes): GraniteWriteBatch;
}
interface GraniteDBHandle {
  put(key: Bytes, value: Bytes, opts?: { sync?: boolean }): Promise<void>;
  write(batch: GraniteWriteBatch, opts?: { sync?: boolean }): Promise<void>;
  get(key: Bytes): Promise<Bytes | undefined>;
  getSync(key: Bytes): Bytes | undefined;
  iterator(opts?: { gte?: Bytes; limit?: number }): GraniteIterator;
  close(): Promise<void>;
}
interface GraniteModule {
  GraniteDB: { open(dir: string, options?: object): Promise<GraniteDBHandle> };
  WriteBatch: new () => GraniteWriteBatch;
}

const ENTRY = new URL('../../src/index.js', import.meta.url);

/** True once src/index.ts exists and has been compiled. */
export function graniteAvailable(): boolean {
  return existsSync(fileURLToPath(ENTRY));
}

export async function open(dir: string, _options: OpenOptions): Promise<Engine> {
  if (!graniteAvailable()) {
    throw new Error(`granitedb is not built yet (${fileURLToPath(ENTRY)} is missing)`);
  }
  const { GraniteDB, WriteBatch } = (await import(ENTRY.href)) as GraniteModule;
  const db = await GraniteDB.open(dir);
  const SYNC = { sync: true };

  const seekSync = (key: Bytes, limit: number): number => {
    let n = 0;
    for (const _entry of db.iterator({ gte: key, limit })) n++;
    return n;
  };

  return {
    name: 'granitedb',
    version: engineVersion('granitedb'),
    notes: ['default options; batches: new WriteBatch() per write; iteration: sync iterator'],
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
    close() {
      return db.close();
    },
  };
}
