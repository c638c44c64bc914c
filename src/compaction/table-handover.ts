// A table's writer hands its parsed index and filter to the thread that will read the table (ADR 0014): a
// compaction worker parses the index of each output it wrote and transfers the arrays with its result, so the
// main thread opens the table without reading, checking and parsing ~1.4 MB per 64 MiB table (and without
// first-touch page faults on that memory: its pages were touched by the worker).
// The arrays are trusted as the writer's own: they come from the bytes it has just written and synced.
import { FOOTER_SIZE } from '../format/sstable.js';
import { BlockIndex, buffersOf, type BlockIndexParts } from '../sstable/block-index.js';
import type { PreparsedTable } from '../sstable/table-reader.js';
import { freeBeforeGc } from '../util/free-before-gc.js';

/** Hand-overs one compaction result carries at most, in bytes: a compaction of many outputs (a compactRange
 *  over gigabytes) hands over its first outputs and lets the rest be opened from their files, instead of
 *  holding ~1.5 MB per 64 MiB output until its install. */
export const HANDOVER_BUDGET = 32 * 1024 * 1024;

export interface TableHandover {
  fileNum: number;
  index: BlockIndexParts;
  /** Filter contents on an ArrayBuffer of its own; undefined for a table without a filter. */
  filter: Uint8Array | undefined;
}

/** The hand-over for a table just finished with `written` (TableBuilder.written) and size `fileSize`. */
export function handOverTable(
  fileNum: number,
  written: { index: Buffer; filter: Buffer | undefined },
  fileSize: number,
  fileName: string,
): TableHandover {
  const index = BlockIndex.parse(written.index, fileSize - FOOTER_SIZE, fileName, -1).parts();
  const f = written.filter;
  // Transfer needs the whole ArrayBuffer: copy a filter that shares one (a view into a larger allocation).
  const filter =
    f === undefined || (f.byteOffset === 0 && f.buffer.byteLength === f.length) ? f : new Uint8Array(f);
  return { fileNum, index, filter };
}

/** Bytes a hand-over holds until the main thread takes it (index arrays and filter). */
export function handoverBytes(t: TableHandover): number {
  let n = t.filter?.byteLength ?? 0;
  for (const b of buffersOf(t.index)) n += b.byteLength;
  return n;
}

/** The ArrayBuffers of `tables`, for a postMessage transfer list. */
export function handoverBuffers(tables: readonly TableHandover[] | undefined): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of tables ?? []) {
    out.push(...buffersOf(t.index));
    if (t.filter !== undefined) out.push(t.filter.buffer as ArrayBuffer);
  }
  return out;
}

/**
 * Copies of `tables` in this thread's memory, for hand-overs that arrived from a worker thread; the transferred
 * arrays are freed without waiting for this thread's next full collection (freeBeforeGc). They were allocated in the worker's
 * malloc arena, and a table keeps its index and filter as long as it lives: each one pinned that arena, so the
 * worker's freed working memory around them stayed resident after the worker exited (malloc_stats: 20 of a
 * worker arena's 23 MB free yet held; ADR 0022). Everything is copied before anything is freed.
 */
export function localCopies(tables: readonly TableHandover[]): TableHandover[] {
  const copies = tables.map((h): TableHandover => {
    const p = h.index;
    const index: BlockIndexParts = {
      offsets: p.offsets.slice(),
      sizes: p.sizes.slice(),
      trailers: p.trailers.slice(),
      keyStarts: p.keyStarts.slice(),
      keyBytes: new Uint8Array(p.keyBytes), // a copy (on a Buffer, slice() is a view)
      windows: p.windows.slice(),
      commonLength: p.commonLength,
    };
    const filter = h.filter === undefined ? undefined : new Uint8Array(h.filter);
    return { fileNum: h.fileNum, index, filter };
  });
  for (const ab of new Set(handoverBuffers(tables))) freeBeforeGc(ab);
  return copies;
}

/** What TableReader.open takes instead of reading index and filter. */
export function preparsedOf(h: TableHandover): PreparsedTable {
  const f = h.filter;
  return {
    index: BlockIndex.fromParts(h.index),
    filter: f === undefined ? undefined : Buffer.from(f.buffer, f.byteOffset, f.byteLength),
  };
}
