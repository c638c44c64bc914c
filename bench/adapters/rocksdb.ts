// rocksdb 5.2 (RocksDB 6.17) adapter: the raw leveldown-style binding with callbacks, each call
// wrapped in one promise; chained batch for batches; no sync get and no sync iteration.
import { createRequire } from 'node:module';
import type { Bytes, Engine, OpenOptions, ScanTotals } from './engine.js';
import { engineVersion } from './versions.js';

type Callback<T = void> = (err: Error | null | undefined, result?: T) => void;

interface RocksIterator {
  next(cb: (err: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
  end(cb: Callback): void;
}
interface RocksBatch {
  put(key: Bytes, value: Bytes): RocksBatch;
  write(cb: Callback): void;
}
interface RocksDB {
  open(options: object, cb: Callback): void;
  close(cb: Callback): void;
  put(key: Bytes, value: Bytes, options: object, cb: Callback): void;
  get(key: Bytes, options: object, cb: Callback<Buffer>): void;
  batch(): RocksBatch;
  iterator(options: object): RocksIterator;
}

const rocksdb = createRequire(import.meta.url)('rocksdb') as (location: string) => RocksDB;

const SYNC = { sync: true };
const NO_SYNC = { sync: false };
const GET_OPTIONS = { asBuffer: true };

function settle<T>(resolve: (v: T) => void, reject: (e: Error) => void): Callback<T> {
  return (err, result) => (err ? reject(err) : resolve(result as T));
}

export async function open(dir: string, _options: OpenOptions): Promise<Engine> {
  const db = rocksdb(dir);
  await new Promise<void>((res, rej) => db.open({ createIfMissing: true }, settle(res, rej)));

  const drain = (it: RocksIterator, limit: number, totals: ScanTotals): Promise<ScanTotals> =>
    new Promise((resolve, reject) => {
      const step = (err: Error | null | undefined, key?: Buffer, value?: Buffer): void => {
        if (err) return reject(err);
        if (key === undefined || value === undefined || totals.entries >= limit) {
          it.end((e) => (e ? reject(e) : resolve(totals)));
          return;
        }
        totals.entries++;
        totals.bytes += key.length + value.length;
        if (totals.entries >= limit) it.end((e) => (e ? reject(e) : resolve(totals)));
        else it.next(step);
      };
      it.next(step);
    });

  return {
    name: 'rocksdb',
    version: engineVersion('rocksdb'),
    notes: [
      'raw binding (no levelup), default options, callbacks wrapped in promises',
      'no sync get or sync iteration: sync rows are skipped, readmissing and seekrandom run async',
    ],
    writeBatch(keys, values) {
      const batch = db.batch();
      for (let i = 0; i < keys.length; i++) batch.put(keys[i]!, values[i]!);
      return new Promise((res, rej) => batch.write(settle(res, rej)));
    },
    put(key, value, sync) {
      return new Promise((res, rej) => db.put(key, value, sync ? SYNC : NO_SYNC, settle(res, rej)));
    },
    get(key) {
      return new Promise((resolve, reject) =>
        db.get(key, GET_OPTIONS, (err, value) => {
          if (!err) resolve(value);
          else if (/NotFound/i.test(err.message)) resolve(undefined);
          else reject(err);
        }),
      );
    },
    async seek(key, limit) {
      const it = db.iterator({ gte: key, limit, keyAsBuffer: true, valueAsBuffer: true });
      return (await drain(it, limit, { entries: 0, bytes: 0 })).entries;
    },
    scan() {
      const it = db.iterator({ keyAsBuffer: true, valueAsBuffer: true });
      return drain(it, Infinity, { entries: 0, bytes: 0 });
    },
    close() {
      return new Promise((res, rej) => db.close(settle(res, rej)));
    },
  };
}
