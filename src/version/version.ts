// A Version: the set of live table files per level, immutable once built. Readers (gets, cursors) use the
// Version current when they start; it is reference-counted so that files it names are not deleted while any
// reader still uses it.
// Order: L0 newest first (largest seq descending; its files may overlap); L1+ by smallest key, disjoint.
import { NUM_LEVELS } from '../format/manifest.js';
import type { SourceCursor } from '../iter/source-cursor.js';
import { TableCursor } from '../sstable/table-cursor.js';
import { LookupResult } from '../keys/lookup-result.js';
import type { FileMeta } from './file-meta.js';
import { LevelCursor } from './level-cursor.js';
import type { TableCache } from './table-cache.js';

/** A table that point reads kept passing through without finding their key: worth compacting (seek compaction). */
export interface SeekCandidate {
  readonly level: number;
  readonly file: FileMeta;
}

/** Bytes of table one wasted probe is charged against: LevelDB's estimate (a probe ≈ compacting 40 KB). */
const BYTES_PER_SEEK = 16 * 1024;
const MIN_ALLOWED_SEEKS = 100;

/**
 * Probes each table may still waste before it is due for a seek compaction, per FileMeta (shared by every
 * Version listing the file, so the count survives unrelated compactions). In memory only: a reopened
 * database starts every table at its full allowance, as LevelDB does.
 */
const seeksLeft = new WeakMap<FileMeta, number>();

export class Version {
  readonly levels: readonly (readonly FileMeta[])[];
  #refs = 0;
  /** Called when the last reference is dropped. */
  onUnreferenced: ((v: Version) => void) | undefined;
  /** The first table of this version whose seek allowance ran out (LevelDB's file_to_compact). */
  seekCandidate: SeekCandidate | undefined;
  /** True from the moment seekCandidate is set until the engine takes note (to schedule a compaction). */
  seekCandidateNew = false;

  constructor(levels: FileMeta[][]) {
    for (let l = 0; l < NUM_LEVELS; l++) levels[l] ??= [];
    levels[0]!.sort((a, b) => b.largestSeq - a.largestSeq || b.fileNum - a.fileNum);
    for (let l = 1; l < NUM_LEVELS; l++)
      levels[l]!.sort((a, b) => (a.smallestKey < b.smallestKey ? -1 : a.smallestKey > b.smallestKey ? 1 : 0));
    this.levels = levels;
  }

  ref(): void {
    this.#refs++;
  }
  unref(): void {
    if (--this.#refs === 0) this.onUnreferenced?.(this);
  }
  get refs(): number {
    return this.#refs;
  }

  /**
   * Point lookup through the levels; the first table holding a visible version decides. A lookup that probes
   * a second table charges the first one a wasted probe (LevelDB's seek compaction): a table that keeps being
   * probed in vain, such as an L0 table above the level that holds most keys, becomes `seekCandidate`.
   */
  get(
    key: string,
    seekTrailer: number,
    hash: number,
    out: { value: Buffer | undefined; tablesProbed: number },
    cache: TableCache,
  ): LookupResult {
    let first: FileMeta | undefined;
    let firstLevel = 0;
    let charged = false;
    const l0 = this.levels[0]!;
    for (let i = 0; i < l0.length; i++) {
      const f = l0[i]!;
      if (key < f.smallestKey || key > f.largestKey) continue;
      out.tablesProbed++;
      if (first === undefined) first = f;
      else if (!charged) charged = this.#charge(first, 0);
      const r = cache.get(f.fileNum).get(key, seekTrailer, hash, out);
      if (r !== LookupResult.NotFound) return r;
    }
    for (let l = 1; l < NUM_LEVELS; l++) {
      const files = this.levels[l]!;
      if (files.length === 0) continue;
      const i = findFile(files, key);
      if (i >= files.length || key < files[i]!.smallestKey) continue;
      const f = files[i]!;
      out.tablesProbed++;
      if (first === undefined) {
        first = f;
        firstLevel = l;
      } else if (!charged) charged = this.#charge(first, firstLevel);
      const r = cache.get(f.fileNum).get(key, seekTrailer, hash, out);
      if (r !== LookupResult.NotFound) return r;
    }
    return LookupResult.NotFound;
  }

  /** Charges `f` one wasted probe; names it the seek candidate when its allowance runs out. Returns true. */
  #charge(f: FileMeta, level: number): boolean {
    const left = (seeksLeft.get(f) ?? Math.max(MIN_ALLOWED_SEEKS, Math.floor(f.size / BYTES_PER_SEEK))) - 1;
    seeksLeft.set(f, left);
    if (left <= 0 && this.seekCandidate === undefined) {
      this.seekCandidate = { level, file: f };
      this.seekCandidateNew = true;
    }
    return true;
  }

  /** Appends one cursor per L0 table and one per non-empty deeper level. */
  addCursors(readSeq: number, out: SourceCursor[], cache: TableCache): void {
    for (const f of this.levels[0]!) out.push(new TableCursor(cache.get(f.fileNum), readSeq));
    for (let l = 1; l < NUM_LEVELS; l++) {
      if (this.levels[l]!.length > 0) out.push(new LevelCursor(this.levels[l]!, readSeq, cache));
    }
  }

  allFiles(): Generator<FileMeta> {
    return (function* (levels) {
      for (const files of levels) yield* files;
    })(this.levels);
  }
}

/** Index of the first file whose largest key is >= key. */
export function findFile(files: readonly FileMeta[], key: string): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (files[mid]!.largestKey < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
