// The cursor every data source (memtable, table, level) presents to the merge: positioned on user keys that
// have a version visible at the cursor's sequence number, one position per user key, showing the newest such
// version (which may be a deletion). Keys are binary strings.
export interface SourceCursor {
  valid(): boolean;
  /** REQUIRES: valid(). */
  key(): string;
  /** Sequence number of the visible version. REQUIRES: valid(). */
  seq(): number;
  /** REQUIRES: valid(). */
  isDeletion(): boolean;
  /** A copy of the visible value. REQUIRES: valid() and !isDeletion(). */
  value(): Buffer;
  /** First key >= target. */
  seek(target: string): void;
  /** Last key <= target. */
  seekForPrev(target: string): void;
  seekToFirst(): void;
  seekToLast(): void;
  next(): void;
  prev(): void;
  close(): void;
}
