// Merges SourceCursors into one SourceCursor: one position per user key, showing the newest version (largest
// seq) among the children positioned there. A binary heap of child indices ordered by (key asc, seq desc)
// going forward, (key desc, seq desc) going backward; a change of direction re-seeks every child to the
// current key (LevelDB's MergingIterator does the same).
import type { SourceCursor } from './source-cursor.js';

export class MergingCursor implements SourceCursor {
  readonly #kids: SourceCursor[];
  #heap: number[] = [];
  #forward = true;

  constructor(children: SourceCursor[]) {
    this.#kids = children;
  }

  #less(a: number, b: number): boolean {
    const ca = this.#kids[a]!;
    const cb = this.#kids[b]!;
    const ka = ca.key();
    const kb = cb.key();
    if (ka === kb) return ca.seq() > cb.seq();
    return this.#forward ? ka < kb : ka > kb;
  }
  #siftDown(i: number): void {
    const h = this.#heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.#less(h[r]!, h[l]!) ? r : l;
      if (!this.#less(h[m]!, h[i]!)) return;
      const t = h[i]!;
      h[i] = h[m]!;
      h[m] = t;
      i = m;
    }
  }
  #rebuild(): void {
    this.#heap = [];
    for (let i = 0; i < this.#kids.length; i++) if (this.#kids[i]!.valid()) this.#heap.push(i);
    for (let i = (this.#heap.length >>> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }
  /** Moves the top child one step in the current direction and restores the heap. */
  #stepTop(): void {
    const h = this.#heap;
    const c = this.#kids[h[0]!]!;
    if (this.#forward) c.next();
    else c.prev();
    if (!c.valid()) {
      const last = h.pop()!;
      if (h.length === 0) return;
      h[0] = last;
    }
    this.#siftDown(0);
  }

  valid(): boolean {
    return this.#heap.length > 0;
  }
  key(): string {
    return this.#kids[this.#heap[0]!]!.key();
  }
  seq(): number {
    return this.#kids[this.#heap[0]!]!.seq();
  }
  isDeletion(): boolean {
    return this.#kids[this.#heap[0]!]!.isDeletion();
  }
  value(): Buffer {
    return this.#kids[this.#heap[0]!]!.value();
  }
  seek(target: string): void {
    this.#forward = true;
    for (const c of this.#kids) c.seek(target);
    this.#rebuild();
  }
  seekForPrev(target: string): void {
    this.#forward = false;
    for (const c of this.#kids) c.seekForPrev(target);
    this.#rebuild();
  }
  seekToFirst(): void {
    this.#forward = true;
    for (const c of this.#kids) c.seekToFirst();
    this.#rebuild();
  }
  seekToLast(): void {
    this.#forward = false;
    for (const c of this.#kids) c.seekToLast();
    this.#rebuild();
  }
  next(): void {
    const k = this.key();
    if (!this.#forward) this.seek(k);
    while (this.#heap.length > 0 && this.key() === k) this.#stepTop();
  }
  prev(): void {
    const k = this.key();
    if (this.#forward) this.seekForPrev(k);
    while (this.#heap.length > 0 && this.key() === k) this.#stepTop();
  }
  close(): void {
    for (const c of this.#kids) c.close();
    this.#heap = [];
  }
}
