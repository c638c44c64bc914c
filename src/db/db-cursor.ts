// The user-facing cursor and iterator: a MergingCursor over every source (memtable, immutable memtables, the
// tables of one Version) at one sequence number, with deletions skipped and bounds applied.
// Stable view: the sources, the Version (referenced until close) and the sequence number are fixed at creation,
// so later writes, flushes and compactions never change what it yields.
// With `reverse`, the order is mirrored: next() moves to smaller keys, seekToFirst() goes to the largest key.
import { DatabaseClosedError, InvalidArgumentError } from '../errors/errors.js';
import type { SourceCursor } from '../iter/source-cursor.js';
import { MergingCursor } from '../iter/merging-cursor.js';
import { bytesOfBinary, prefixSuccessor } from '../util/bytes.js';
import type { TurnGate } from '../util/turn-gate.js';
import { toBinaryBound, type KeyLike } from '../keys/user-key.js';

export interface RangeOptions {
  gt?: KeyLike;
  gte?: KeyLike;
  lt?: KeyLike;
  lte?: KeyLike;
  prefix?: KeyLike;
  reverse?: boolean;
}

export interface Bounds {
  lower: string | undefined;
  lowerInclusive: boolean;
  upper: string | undefined;
  upperInclusive: boolean;
}

export function resolveBounds(o: RangeOptions): Bounds {
  const b: Bounds = { lower: undefined, lowerInclusive: true, upper: undefined, upperInclusive: true };
  if (o.gte !== undefined) b.lower = toBinaryBound(o.gte, 'gte');
  if (o.gt !== undefined) {
    const gt = toBinaryBound(o.gt, 'gt');
    if (b.lower === undefined || gt >= b.lower) {
      b.lower = gt;
      b.lowerInclusive = false;
    }
  }
  if (o.lte !== undefined) b.upper = toBinaryBound(o.lte, 'lte');
  if (o.lt !== undefined) {
    const lt = toBinaryBound(o.lt, 'lt');
    if (b.upper === undefined || lt <= b.upper) {
      b.upper = lt;
      b.upperInclusive = false;
    }
  }
  if (o.prefix !== undefined) {
    const p = toBinaryBound(o.prefix, 'prefix');
    if (b.lower === undefined || p > b.lower) {
      b.lower = p;
      b.lowerInclusive = true;
    }
    const succ = prefixSuccessor(p);
    if (succ !== undefined && (b.upper === undefined || succ <= b.upper)) {
      b.upper = succ;
      b.upperInclusive = false;
    }
  }
  return b;
}

export interface CursorHost {
  readonly closed: boolean;
  release(): void;
}

export class DBCursor {
  readonly #m: MergingCursor;
  readonly #b: Bounds;
  readonly #reverse: boolean;
  readonly #host: CursorHost;
  #valid = false;
  #closed = false;

  /** @internal */
  constructor(sources: SourceCursor[], bounds: Bounds, reverse: boolean, host: CursorHost) {
    this.#m = new MergingCursor(sources);
    this.#b = bounds;
    this.#reverse = reverse;
    this.#host = host;
  }

  #check(): void {
    if (this.#host.closed) throw new DatabaseClosedError();
    if (this.#closed) throw new InvalidArgumentError('cursor is closed');
  }
  #aboveUpper(k: string): boolean {
    const u = this.#b.upper;
    return u !== undefined && (k > u || (k === u && !this.#b.upperInclusive));
  }
  #belowLower(k: string): boolean {
    const l = this.#b.lower;
    return l !== undefined && (k < l || (k === l && !this.#b.lowerInclusive));
  }
  /** Moves forward (to larger keys) until a live entry inside the bounds. */
  #settleUp(): void {
    const m = this.#m;
    while (m.valid()) {
      const k = m.key();
      if (this.#aboveUpper(k)) break;
      if (!m.isDeletion() && !this.#belowLower(k)) {
        this.#valid = true;
        return;
      }
      m.next();
    }
    this.#valid = false;
  }
  #settleDown(): void {
    const m = this.#m;
    while (m.valid()) {
      const k = m.key();
      if (this.#belowLower(k)) break;
      if (!m.isDeletion() && !this.#aboveUpper(k)) {
        this.#valid = true;
        return;
      }
      m.prev();
    }
    this.#valid = false;
  }
  #seekUp(t: string): void {
    const l = this.#b.lower;
    this.#m.seek(l !== undefined && t < l ? l : t);
    this.#settleUp();
  }
  #seekDown(t: string): void {
    const u = this.#b.upper;
    this.#m.seekForPrev(u !== undefined && t > u ? u : t);
    this.#settleDown();
  }
  #first(): void {
    if (this.#b.lower !== undefined) this.#m.seek(this.#b.lower);
    else this.#m.seekToFirst();
    this.#settleUp();
  }
  #last(): void {
    if (this.#b.upper !== undefined) this.#m.seekForPrev(this.#b.upper);
    else this.#m.seekToLast();
    this.#settleDown();
  }

  /** Positions on the first entry >= target (<= target when reverse) inside the bounds. */
  seek(target: KeyLike): void {
    this.#check();
    const t = toBinaryBound(target, 'target');
    if (this.#reverse) this.#seekDown(t);
    else this.#seekUp(t);
  }
  /** Positions on the first entry in iteration order. */
  seekToFirst(): void {
    this.#check();
    if (this.#reverse) this.#last();
    else this.#first();
  }
  /** Positions on the last entry in iteration order. */
  seekToLast(): void {
    this.#check();
    if (this.#reverse) this.#first();
    else this.#last();
  }
  valid(): boolean {
    this.#check();
    return this.#valid;
  }
  /** @throws INVALID_ARGUMENT when not valid(). */
  key(): Buffer {
    return bytesOfBinary(this.keyBinary());
  }
  /** @internal the current key as a binary string. */
  keyBinary(): string {
    this.#check();
    if (!this.#valid) throw new InvalidArgumentError('cursor is not positioned on an entry');
    return this.#m.key();
  }
  /** @throws INVALID_ARGUMENT when not valid(). */
  value(): Buffer {
    this.#check();
    if (!this.#valid) throw new InvalidArgumentError('cursor is not positioned on an entry');
    return this.#m.value();
  }
  /** Moves to the next entry in iteration order. */
  next(): void {
    this.#check();
    if (!this.#valid) throw new InvalidArgumentError('cursor is not positioned on an entry');
    if (this.#reverse) {
      this.#m.prev();
      this.#settleDown();
    } else {
      this.#m.next();
      this.#settleUp();
    }
  }
  /** Moves to the previous entry in iteration order. */
  prev(): void {
    this.#check();
    if (!this.#valid) throw new InvalidArgumentError('cursor is not positioned on an entry');
    if (this.#reverse) {
      this.#m.next();
      this.#settleUp();
    } else {
      this.#m.prev();
      this.#settleDown();
    }
  }
  /** Releases the view (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#valid = false;
    this.#m.close();
    this.#host.release();
  }
}

export interface IteratorOptions extends RangeOptions {
  limit?: number;
  keys?: boolean;
  values?: boolean;
}

export type Entry = [Buffer | undefined, Buffer | undefined];

/** Iteration over a DBCursor: sync (`for...of`) and async (`for await`). Breaking out of a loop closes it. */
export class DBIterator implements IterableIterator<Entry>, AsyncIterable<Entry> {
  readonly #c: DBCursor;
  readonly #limit: number;
  readonly #keys: boolean;
  readonly #values: boolean;
  #count = 0;
  #started = false;
  #done = false;

  readonly #turns: TurnGate;

  /** @internal */
  constructor(cursor: DBCursor, limit: number, keys: boolean, values: boolean, turns: TurnGate) {
    this.#c = cursor;
    this.#turns = turns;
    this.#limit = limit;
    this.#keys = keys;
    this.#values = values;
  }

  /** Repositions: the next entry is the first >= target (<= target when reverse) inside the bounds. */
  seek(target: KeyLike): void {
    if (this.#done) return;
    this.#c.seek(target);
    this.#started = true;
    this.#pending = true;
  }
  #pending = false;

  next(): IteratorResult<Entry> {
    if (this.#done) return { done: true, value: undefined };
    try {
      if (this.#count >= this.#limit) return this.#finish();
      if (!this.#started) {
        this.#started = true;
        this.#c.seekToFirst();
      } else if (!this.#pending) {
        this.#c.next();
      }
      this.#pending = false;
      if (!this.#c.valid()) return this.#finish();
      this.#count++;
      const k = this.#keys ? this.#c.key() : undefined;
      const v = this.#values ? this.#c.value() : undefined;
      return { done: false, value: [k, v] };
    } catch (err) {
      this.close();
      throw err;
    }
  }

  #finish(): IteratorResult<Entry> {
    this.close();
    return { done: true, value: undefined };
  }

  return(): IteratorResult<Entry> {
    this.close();
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Entry> {
    return {
      next: () => {
        try {
          return this.#turns.settle(this.next());
        } catch (err) {
          return Promise.reject(err);
        }
      },
      return: async () => this.return(),
    };
  }

  /** Releases the view (idempotent). */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#c.close();
  }
}
