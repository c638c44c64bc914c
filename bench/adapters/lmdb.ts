// lmdb 3.5 (LMDB) adapter: batches are one transactionSync of putSync calls, reads are the native
// sync get, async reads use getAsync, iteration is the sync getRange. LMDB chooses durability per
// environment, not per write: for databases that only see unsynced writes the environment is opened
// with noSync (no fsync, the counterpart of LevelDB's sync: false; unlike LevelDB an OS crash may
// corrupt rather than only lose the tail), and with lmdb's defaults (flushed commits) for fillsync.
import { open as openLmdb } from 'lmdb';
import type { Bytes, Engine, OpenOptions, ScanTotals } from './engine.js';
import { engineVersion } from './versions.js';

export async function open(dir: string, { syncWrites }: OpenOptions): Promise<Engine> {
  const db = openLmdb<Buffer, Buffer>({
    path: dir,
    encoding: 'binary',
    keyEncoding: 'binary',
    noSync: !syncWrites,
  });
  const asBuf = (b: Bytes): Buffer => b as Buffer;

  const seekSync = (key: Bytes, limit: number): number => {
    let n = 0;
    for (const _entry of db.getRange({ start: asBuf(key), limit })) n++;
    return n;
  };

  return {
    name: 'lmdb',
    version: engineVersion('lmdb'),
    notes: [
      "encoding/keyEncoding 'binary'; noSync: true except for fillsync, which uses lmdb's default (flushed) commits",
      'batches: transactionSync(() => putSync × n); single puts: put(); get: getAsync; getSync: get; iteration: getRange (sync)',
    ],
    async writeBatch(keys, values) {
      db.transactionSync(() => {
        for (let i = 0; i < keys.length; i++) db.putSync(asBuf(keys[i]!), asBuf(values[i]!));
      });
    },
    async put(key, value, sync) {
      if (sync && !syncWrites) throw new Error('lmdb: synced put on an environment opened with noSync');
      await db.put(asBuf(key), asBuf(value));
    },
    async get(key) {
      // lmdb's typings declare an array here; at runtime getAsync resolves to the value.
      return (await db.getAsync(asBuf(key))) as unknown as Bytes | undefined;
    },
    getSync(key) {
      return db.get(asBuf(key));
    },
    async seek(key, limit) {
      return seekSync(key, limit);
    },
    seekSync,
    async scan(): Promise<ScanTotals> {
      let entries = 0;
      let bytes = 0;
      for (const { key, value } of db.getRange({})) {
        bytes += key.length + value.length;
        entries++;
      }
      return { entries, bytes };
    },
    close() {
      return db.close();
    },
  };
}
