// SourceCursor over one sorted level (L1+): its files are disjoint and ordered, so the level reads as one
// table; a TableCursor is opened on the file the position is in, and replaced when crossing files.
import type { SourceCursor } from '../iter/source-cursor.js';
import { TableCursor } from '../sstable/table-cursor.js';
import type { FileMeta } from './file-meta.js';
import type { TableCache } from './table-cache.js';
import { findFile } from './version.js';

export class LevelCursor implements SourceCursor {
  readonly #files: readonly FileMeta[];
  readonly #readSeq: number;
  readonly #cache: TableCache;
  #i = -1;
  #cur: TableCursor | undefined;

  constructor(files: readonly FileMeta[], readSeq: number, cache: TableCache) {
    this.#files = files;
    this.#readSeq = readSeq;
    this.#cache = cache;
  }

  #open(i: number): boolean {
    if (i === this.#i && this.#cur !== undefined) return true;
    this.#cur?.close();
    this.#cur = undefined;
    this.#i = i;
    if (i < 0 || i >= this.#files.length) return false;
    this.#cur = new TableCursor(this.#cache.get(this.#files[i]!.fileNum), this.#readSeq);
    return true;
  }
  #skipForward(): void {
    while (this.#cur !== undefined && !this.#cur.valid()) {
      if (!this.#open(this.#i + 1)) return;
      this.#cur.seekToFirst();
    }
  }
  #skipBackward(): void {
    while (this.#cur !== undefined && !this.#cur.valid()) {
      if (!this.#open(this.#i - 1)) return;
      this.#cur.seekToLast();
    }
  }

  valid(): boolean {
    return this.#cur !== undefined && this.#cur.valid();
  }
  key(): string {
    return this.#cur!.key();
  }
  seq(): number {
    return this.#cur!.seq();
  }
  isDeletion(): boolean {
    return this.#cur!.isDeletion();
  }
  value(): Buffer {
    return this.#cur!.value();
  }
  seek(target: string): void {
    if (!this.#open(findFile(this.#files, target))) return;
    this.#cur!.seek(target);
    this.#skipForward();
  }
  seekForPrev(target: string): void {
    let i = findFile(this.#files, target);
    if (i >= this.#files.length || this.#files[i]!.smallestKey > target) i--;
    if (!this.#open(i)) return;
    this.#cur!.seekForPrev(target);
    this.#skipBackward();
  }
  seekToFirst(): void {
    if (!this.#open(0)) return;
    this.#cur!.seekToFirst();
    this.#skipForward();
  }
  seekToLast(): void {
    if (!this.#open(this.#files.length - 1)) return;
    this.#cur!.seekToLast();
    this.#skipBackward();
  }
  next(): void {
    this.#cur!.next();
    this.#skipForward();
  }
  prev(): void {
    this.#cur!.prev();
    this.#skipBackward();
  }
  close(): void {
    this.#cur?.close();
    this.#cur = undefined;
  }
}
