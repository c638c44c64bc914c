// abstract-level iterators over a GraniteDB cursor. One CursorReader does the work for the three iterator
// kinds (entries, keys, values), which abstract-level keeps as unrelated classes.
// Stable view: the cursor is created synchronously in db._iterator(), so the iterator sees the database as it
// was then (implicit snapshot); with an explicit snapshot it reads at that snapshot's sequence number.
// Signals: every read yields to the event loop once before it touches the cursor and checks the signal after
// that hop (and between chunks in all()), so an abort() right after next() rejects that call with
// LEVEL_ABORTED, as abstract-level's signal tests require.
import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level';
import type { Cursor, CursorOptions, GraniteDB, Snapshot } from '../index.js';
import { LevelAbortError, LevelError, toLevelError } from './errors.js';
import { fromEngineKey, toEngineKey, toFormat, type Encoded } from './keys.js';

/** What abstract-level passes to _iterator/_keys/_values (range bounds already encoded). */
export interface LevelIteratorOptions {
  gt?: Encoded | null;
  gte?: Encoded | null;
  lt?: Encoded | null;
  lte?: Encoded | null;
  reverse: boolean;
  limit: number;
  keys?: boolean;
  values?: boolean;
  keyEncoding: string;
  valueEncoding?: string;
  signal?: AbortSignal | null;
  snapshot?: { readonly engineSnapshot: Snapshot } | null;
}

type Item = Encoded | undefined | [Encoded | undefined, Encoded | undefined];
const Mode = { Entries: 0, Keys: 1, Values: 2 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];
/** Entries per event-loop turn in all(). */
const CHUNK = 1000;

class CursorReader {
  readonly #cursor: Cursor | undefined;
  readonly #mode: Mode;
  readonly #wantKeys: boolean;
  readonly #wantValues: boolean;
  readonly #keyFormat: string;
  readonly #valueFormat: string;
  readonly #limit: number;
  readonly #signal: AbortSignal | undefined;
  #count = 0;
  #started = false;
  /** True right after a seek: the cursor already sits on the next entry to yield. */
  #pending = false;

  constructor(db: GraniteDB, o: LevelIteratorOptions, mode: Mode) {
    // abstract-level semantics: gte wins over gt and lte over lt (the engine would intersect them).
    const co: CursorOptions = { reverse: o.reverse };
    if (o.gte !== undefined && o.gte !== null) co.gte = toEngineKey(o.gte);
    else if (o.gt !== undefined && o.gt !== null) co.gt = toEngineKey(o.gt);
    if (o.lte !== undefined && o.lte !== null) co.lte = toEngineKey(o.lte);
    else if (o.lt !== undefined && o.lt !== null) co.lt = toEngineKey(o.lt);
    const snap = o.snapshot?.engineSnapshot;
    if (snap !== undefined) co.snapshot = snap;
    // A closed snapshot is reported by abstract-level on first use (LEVEL_SNAPSHOT_NOT_OPEN), not here.
    this.#cursor = snap?.released === true ? undefined : db.cursor(co);
    this.#mode = mode;
    this.#wantKeys = mode === Mode.Keys || (mode === Mode.Entries && o.keys !== false);
    this.#wantValues = mode === Mode.Values || (mode === Mode.Entries && o.values !== false);
    this.#keyFormat = o.keyEncoding;
    this.#valueFormat = o.valueEncoding ?? 'utf8';
    this.#limit = o.limit < 0 ? Infinity : o.limit;
    this.#signal = o.signal ?? undefined;
  }

  /** Advances to the next entry; false at the end of the range. */
  #advance(): boolean {
    const c = this.#open();
    if (!this.#started) {
      this.#started = true;
      c.seekToFirst();
    } else if (this.#pending) {
      this.#pending = false;
    } else if (c.valid()) {
      c.next();
    }
    return c.valid();
  }

  #open(): Cursor {
    if (this.#cursor === undefined) {
      throw new LevelError(
        'Snapshot is not open: cannot use snapshot after close()',
        'LEVEL_SNAPSHOT_NOT_OPEN',
      );
    }
    return this.#cursor;
  }

  #item(): Item {
    const c = this.#cursor!;
    const k = this.#wantKeys ? toFormat(fromEngineKey(c.key()), this.#keyFormat) : undefined;
    const v = this.#wantValues ? toFormat(c.value(), this.#valueFormat) : undefined;
    return this.#mode === Mode.Entries ? [k, v] : this.#mode === Mode.Keys ? k : v;
  }

  /** Up to `n` items, synchronously. */
  #take(n: number): Item[] {
    const out: Item[] = [];
    try {
      while (out.length < n && this.#count < this.#limit && this.#advance()) {
        out.push(this.#item());
        this.#count++;
      }
    } catch (err) {
      throw toLevelError(err);
    }
    return out;
  }

  async #hop(immediate: boolean): Promise<void> {
    if (immediate) await new Promise<void>((r) => setImmediate(r));
    else await Promise.resolve();
    if (this.#signal?.aborted === true) throw new LevelAbortError(this.#signal.reason);
  }

  async next(): Promise<Item | undefined> {
    await this.#hop(false);
    const r = this.#take(1);
    return r.length === 0 ? undefined : r[0];
  }

  async nextv(size: number): Promise<Item[]> {
    await this.#hop(false);
    return this.#take(size);
  }

  async all(): Promise<Item[]> {
    await this.#hop(false);
    const acc: Item[] = [];
    for (;;) {
      const chunk = this.#take(CHUNK);
      for (const x of chunk) acc.push(x);
      if (chunk.length < CHUNK) return acc;
      await this.#hop(true);
    }
  }

  seek(target: Encoded): void {
    try {
      this.#started = true;
      this.#open().seek(toEngineKey(target));
      this.#pending = true;
    } catch (err) {
      throw toLevelError(err);
    }
  }

  close(): void {
    this.#cursor?.close();
  }
}

// The three classes below only forward to a CursorReader. abstract-level's typings do not declare the private
// hooks (_next, _nextv, _all, _seek, _close), so they are plain methods here.
/* eslint-disable @typescript-eslint/no-explicit-any */

export class GraniteIterator extends AbstractIterator<any, any, any> {
  readonly #r: CursorReader;
  constructor(level: any, db: GraniteDB, options: LevelIteratorOptions) {
    super(level, options as any);
    this.#r = new CursorReader(db, options, Mode.Entries);
  }
  _next(): Promise<Item | undefined> {
    return this.#r.next();
  }
  _nextv(size: number): Promise<Item[]> {
    return this.#r.nextv(size);
  }
  _all(): Promise<Item[]> {
    return this.#r.all();
  }
  _seek(target: Encoded): void {
    this.#r.seek(target);
  }
  async _close(): Promise<void> {
    this.#r.close();
  }
}

export class GraniteKeyIterator extends AbstractKeyIterator<any, any> {
  readonly #r: CursorReader;
  constructor(level: any, db: GraniteDB, options: LevelIteratorOptions) {
    super(level, options as any);
    this.#r = new CursorReader(db, options, Mode.Keys);
  }
  _next(): Promise<Item | undefined> {
    return this.#r.next();
  }
  _nextv(size: number): Promise<Item[]> {
    return this.#r.nextv(size);
  }
  _all(): Promise<Item[]> {
    return this.#r.all();
  }
  _seek(target: Encoded): void {
    this.#r.seek(target);
  }
  async _close(): Promise<void> {
    this.#r.close();
  }
}

export class GraniteValueIterator extends AbstractValueIterator<any, any, any> {
  readonly #r: CursorReader;
  constructor(level: any, db: GraniteDB, options: LevelIteratorOptions) {
    super(level, options as any);
    this.#r = new CursorReader(db, options, Mode.Values);
  }
  _next(): Promise<Item | undefined> {
    return this.#r.next();
  }
  _nextv(size: number): Promise<Item[]> {
    return this.#r.nextv(size);
  }
  _all(): Promise<Item[]> {
    return this.#r.all();
  }
  _seek(target: Encoded): void {
    this.#r.seek(target);
  }
  async _close(): Promise<void> {
    this.#r.close();
  }
}
