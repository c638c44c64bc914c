// GraniteLevel: GraniteDB behind the abstract-level (v3) interface, with classic-level's feature manifest
// (buffer/utf8/view encodings, has, createIfMissing, errorIfExists, explicit snapshots, getSync, compactRange,
// iterator signals) plus implicit snapshots (every engine iterator is a stable view).
// abstract-level does the public API (encodings, deferred open, sublevels, hooks, events); this class only
// implements the private hooks. Keys are zero-escaped (./keys.ts) because abstract-level allows the empty key.
// Concurrency: reads are synchronous in the engine, so _get/_getMany/_has read the state at call time (the
// "implicit snapshot" abstract-level asks for); writes go through the engine's ordered write queue.
import { AbstractLevel, AbstractSnapshot } from 'abstract-level';
import type { AbstractDatabaseOptions } from 'abstract-level';
import { DEFAULTS, GraniteDB, WriteBatch, type Options, type Snapshot } from '../index.js';
import { toLevelError } from './errors.js';
import {
  GraniteIterator,
  GraniteKeyIterator,
  GraniteValueIterator,
  type LevelIteratorOptions,
} from './iterator.js';
import { toEngineKey, toFormat, type Encoded } from './keys.js';

/** Constructor options: abstract-level's (encodings, createIfMissing, ...) plus any engine option. */
export type GraniteLevelOptions<K, V> = AbstractDatabaseOptions<K, V> & Partial<Omit<Options, 'logger'>>;

interface EncodingOptions {
  keyEncoding: string;
  valueEncoding: string;
  snapshot?: GraniteLevelSnapshot | null;
}
interface BatchOp {
  type: 'put' | 'del';
  key: Encoded;
  value?: Encoded;
}

/** Entries deleted per WriteBatch by clear(). */
const CLEAR_BATCH = 1000;

/** The engine options (names in DEFAULTS) among `o`, except the two abstract-level handles itself. */
function engineOptionsOf(o: object | undefined): Partial<Options> {
  const engine: Record<string, unknown> = {};
  for (const k of Object.keys(DEFAULTS)) {
    if (k === 'createIfMissing' || k === 'errorIfExists') continue;
    const v = (o as Record<string, unknown> | undefined)?.[k];
    if (v !== undefined) engine[k] = v;
  }
  return engine as Partial<Options>;
}

/** An explicit snapshot: an engine snapshot released when abstract-level closes it. */
export class GraniteLevelSnapshot extends AbstractSnapshot {
  readonly engineSnapshot: Snapshot;
  constructor(options: { owner: unknown }, snapshot: Snapshot) {
    // @ts-expect-error -- the typings omit the constructor, which takes { owner }
    super(options);
    this.engineSnapshot = snapshot;
  }
  async _close(): Promise<void> {
    this.engineSnapshot.release();
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- abstract-level's private hooks are untyped */

export class GraniteLevel<KDefault = string, VDefault = string> extends AbstractLevel<
  Buffer | Uint8Array | string,
  KDefault,
  VDefault
> {
  readonly #location: string;
  readonly #engineOptions: Partial<Options>;
  #db: GraniteDB | undefined;

  /**
   * @param location the database directory (created on open unless createIfMissing is false)
   * @param options abstract-level options plus GraniteDB options (memtableSize, syncWrites, ...)
   */
  constructor(location: string, options?: GraniteLevelOptions<KDefault, VDefault>) {
    if (typeof location !== 'string' || location === '') {
      throw new TypeError("The first argument 'location' must be a non-empty string");
    }
    super(
      {
        encodings: { buffer: true, utf8: true, view: true },
        implicitSnapshots: true,
        explicitSnapshots: true,
        has: true,
        getSync: true,
        seek: true,
        permanence: true,
        createIfMissing: true,
        errorIfExists: true,
        additionalMethods: { compactRange: true },
        signals: { iterators: true },
      } as any,
      options,
    );
    this.#location = location;
    this.#engineOptions = engineOptionsOf(options);
  }

  /** The database directory. */
  get location(): string {
    return this.#location;
  }

  /** The open engine. @throws Error when the database is not open */
  get engine(): GraniteDB {
    if (this.#db === undefined) throw new Error('database is not open');
    return this.#db;
  }

  /** Engine options come from the constructor, overridden by those given to open(). */
  async _open(options: { createIfMissing: boolean; errorIfExists: boolean }): Promise<void> {
    try {
      this.#db = await GraniteDB.open(this.#location, {
        ...this.#engineOptions,
        ...engineOptionsOf(options),
        createIfMissing: options.createIfMissing,
        errorIfExists: options.errorIfExists,
      });
    } catch (err) {
      throw toLevelError(err);
    }
  }

  async _close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    await db?.close();
  }

  _getSync(key: Encoded, options: EncodingOptions): Encoded | undefined {
    try {
      const snapshot = options.snapshot?.engineSnapshot;
      const v = this.engine.getSync(toEngineKey(key), snapshot === undefined ? undefined : { snapshot });
      return v === undefined ? undefined : toFormat(v, options.valueEncoding);
    } catch (err) {
      throw toLevelError(err);
    }
  }

  async _get(key: Encoded, options: EncodingOptions): Promise<Encoded | undefined> {
    return this._getSync(key, options);
  }

  async _getMany(keys: Encoded[], options: EncodingOptions): Promise<(Encoded | undefined)[]> {
    return keys.map((k) => this._getSync(k, options));
  }

  async _has(key: Encoded, options: EncodingOptions): Promise<boolean> {
    return this._getSync(key, { ...options, valueEncoding: 'buffer' }) !== undefined;
  }

  async _hasMany(keys: Encoded[], options: EncodingOptions): Promise<boolean[]> {
    const o = { ...options, valueEncoding: 'buffer' };
    return keys.map((k) => this._getSync(k, o) !== undefined);
  }

  async _put(key: Encoded, value: Encoded): Promise<void> {
    try {
      await this.engine.put(toEngineKey(key), value);
    } catch (err) {
      throw toLevelError(err);
    }
  }

  async _del(key: Encoded): Promise<void> {
    try {
      await this.engine.delete(toEngineKey(key));
    } catch (err) {
      throw toLevelError(err);
    }
  }

  async _batch(operations: BatchOp[]): Promise<void> {
    try {
      const b = new WriteBatch();
      for (const op of operations) {
        if (op.type === 'put') b.put(toEngineKey(op.key), op.value!);
        else b.delete(toEngineKey(op.key));
      }
      await this.engine.write(b);
    } catch (err) {
      throw toLevelError(err);
    }
  }

  async _clear(options: LevelIteratorOptions): Promise<void> {
    // Reads from a cursor fixed now (or at the given snapshot), so writes made after clear() was called
    // survive it. No await while the cursor is positioned between batches matters: the cursor is a stable view.
    const it = new GraniteKeyIterator(this, this.engine, { ...options, keyEncoding: 'buffer' });
    try {
      for (;;) {
        const keys = (await it._nextv(CLEAR_BATCH)) as Buffer[];
        if (keys.length === 0) break;
        const b = new WriteBatch();
        for (const k of keys) b.delete(toEngineKey(k));
        await this.engine.write(b);
      }
    } catch (err) {
      throw toLevelError(err);
    } finally {
      await it.close();
    }
  }

  _iterator(options: LevelIteratorOptions): GraniteIterator {
    try {
      return new GraniteIterator(this, this.engine, options);
    } catch (err) {
      throw toLevelError(err);
    }
  }

  _keys(options: LevelIteratorOptions): GraniteKeyIterator {
    try {
      return new GraniteKeyIterator(this, this.engine, options);
    } catch (err) {
      throw toLevelError(err);
    }
  }

  _values(options: LevelIteratorOptions): GraniteValueIterator {
    try {
      return new GraniteValueIterator(this, this.engine, options);
    } catch (err) {
      throw toLevelError(err);
    }
  }

  _snapshot(options: { owner: unknown }): GraniteLevelSnapshot {
    return new GraniteLevelSnapshot(options, this.engine.snapshot());
  }

  /**
   * Compacts the keys in [start, end] (both inclusive, encoded with the key encoding). Until the engine has
   * compactRange() this flushes the memtable instead.
   * @throws LEVEL_DATABASE_NOT_OPEN when the database is not open
   */
  async compactRange(start: KDefault, end: KDefault, options?: { keyEncoding?: string }): Promise<void> {
    if (this.status === 'opening') return this.deferAsync(() => this.compactRange(start, end, options));
    if (this.status !== 'open') {
      throw Object.assign(new Error('Database is not open: cannot call compactRange()'), {
        code: 'LEVEL_DATABASE_NOT_OPEN',
      });
    }
    const enc = this.keyEncoding(options?.keyEncoding as any) as any;
    const s = start === undefined || start === null ? undefined : toEngineKey(enc.encode(start));
    const e = end === undefined || end === null ? undefined : toEngineKey(enc.encode(end));
    const db = this.engine as GraniteDB & { compactRange?: (s?: Encoded, e?: Encoded) => Promise<void> };
    try {
      if (typeof db.compactRange === 'function') await db.compactRange(s, e);
      else await db.flush();
    } catch (err) {
      throw toLevelError(err);
    }
  }

  /** Removes the files of a closed database at `location`. */
  static async destroy(location: string): Promise<void> {
    await GraniteDB.destroy(location);
  }
}
