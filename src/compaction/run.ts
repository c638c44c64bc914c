// Executes a compaction job: merges the input tables, drops what no reader can see, and writes output
// tables cut at targetFileSize (only between user keys, so a key's versions stay in one file) and where the
// overlap with grandparent files would exceed 10 x targetFileSize. Outputs are synced, then their directory.
// No DB dependency: callable in-process (tests, custom file systems) and from a worker thread.
//
// Drop rules, per user key walking versions newest first (LevelDB's DoCompactionWork):
//   - a version is shadowed (dropped) when the version above it has seq <= smallestSnapshot;
//   - a deletion with seq <= smallestSnapshot is dropped when the task is bottommost (nothing older below).
import { HANDOVER_BUDGET, handOverTable, handoverBytes } from './table-handover.js';
import { tableFileName } from '../format/filenames.js';
import { Kind, trailerKind, trailerSeq } from '../format/keys.js';
import type { FileSystem } from '../fs/file-system.js';
import { TableBuilder } from '../sstable/table-builder.js';
import { TableIterator } from '../sstable/table-iterator.js';
import { TableReader, type TableCounters } from '../sstable/table-reader.js';
import { fileMetaOf } from '../version/file-meta.js';
import type { CompactionJob, CompactionResult } from './task.js';
import { RateLimiter } from './rate-limiter.js';

const YIELD_EVERY = 2048;

export interface RunEnv {
  fs: FileSystem;
  /** When set, awaited every few thousand entries so an in-process run does not starve the event loop. */
  yieldToEventLoop?: () => Promise<void>;
  /** Hand-over bytes the result may carry (table-handover.ts). @default HANDOVER_BUDGET */
  handoverBudget?: number;
}

export async function runCompaction(job: CompactionJob, env: RunEnv): Promise<CompactionResult> {
  const { fs } = env;
  const task = job.task;
  const counters: TableCounters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
  const readers: TableReader[] = [];
  const result: CompactionResult = {
    outputs: [],
    bytesRead: 0,
    bytesWritten: 0,
    entriesIn: 0,
    entriesOut: 0,
    droppedDeletions: 0,
    droppedShadowed: 0,
    rateLimitWaits: 0,
    rateLimitMillis: 0,
  };
  const limiter = job.rateLimit > 0 ? new RateLimiter(job.rateLimit) : undefined;
  let accounted = 0; // output bytes already given to the limiter
  const created: string[] = [];
  let its: TableIterator[] = [];
  try {
    for (const f of [...task.inputs[0], ...task.inputs[1]]) {
      const name = tableFileName(f.fileNum);
      readers.push(TableReader.openForScan(fs.openRead(`${job.dir}/${name}`), f.fileNum, name, counters));
      result.bytesRead += f.size;
    }
    // Keys an output will about hold: the inputs' entries per file byte times the output size, plus a quarter
    // (file bytes include index and filter; outputs are cut once they reach the size). A hint (ADR 0017).
    let inputEntries = 0;
    for (const r of readers) inputEntries += r.props.entries;
    const expectedKeys =
      result.bytesRead > 0
        ? Math.min(inputEntries, Math.ceil((1.25 * inputEntries * task.targetFileSize) / result.bytesRead))
        : 0;
    const outputOptions = { ...job, expectedKeys };
    its = readers.map((r) => new TableIterator(r));
    for (const it of its) it.seekToFirst();
    const heap = new MergeHeap(its);

    let builder: TableBuilder | undefined;
    let file: ReturnType<FileSystem['create']> | undefined;
    let outNum = -1;
    let nextOut = 0;
    let lastKey: string | undefined;
    let lastSeqForKey = Infinity;
    let gpIndex = 0;
    let gpOverlap = 0;
    let lastAddedKey = '';
    const gps = task.grandparents;
    const maxGpOverlap = 10 * task.targetFileSize;

    let handedOver = 0;
    const finishOutput = async (): Promise<void> => {
      if (builder === undefined) return;
      const p = builder.finish();
      await file!.sync();
      file!.close();
      result.bytesWritten += p.fileSize;
      const meta = fileMetaOf(outNum, p);
      result.outputs.push(meta);
      if (handedOver < (env.handoverBudget ?? HANDOVER_BUDGET)) {
        const h = handOverTable(outNum, builder.written, p.fileSize, tableFileName(outNum));
        handedOver += handoverBytes(h);
        (result.tables ??= []).push(h);
      }
      builder.release();
      builder = undefined;
      file = undefined;
    };

    let n = 0;
    while (heap.valid()) {
      const it = heap.top();
      const key = it.key();
      const trailer = it.trailer();
      result.entriesIn++;
      const newKey = key !== lastKey;
      if (newKey) {
        lastKey = key;
        lastSeqForKey = Infinity;
        // Cut the output between user keys when it is full or overlaps too much of the next level.
        while (gpIndex < gps.length && gps[gpIndex]!.largestKey < key) {
          if (builder !== undefined) gpOverlap += gps[gpIndex]!.size;
          gpIndex++;
        }
        if (
          builder !== undefined &&
          key !== lastAddedKey &&
          nextOut < job.outputNumbers.length &&
          (builder.estimatedSize >= task.targetFileSize || gpOverlap > maxGpOverlap)
        ) {
          await finishOutput();
          gpOverlap = 0;
        }
      }
      const seq = trailerSeq(trailer);
      let drop = false;
      if (lastSeqForKey <= job.smallestSnapshot) {
        drop = true;
        result.droppedShadowed++;
      } else if (trailerKind(trailer) === Kind.Delete && seq <= job.smallestSnapshot && task.bottommost) {
        drop = true;
        result.droppedDeletions++;
      }
      lastSeqForKey = seq;
      if (!drop) {
        if (builder === undefined) {
          outNum = job.outputNumbers[nextOut++]!;
          const path = `${job.dir}/${tableFileName(outNum)}`;
          file = fs.create(path);
          created.push(path);
          builder = new TableBuilder(file, outputOptions);
        }
        builder.add(key, trailer, it.valueData(), it.valueOffset(), it.valueLength());
        lastAddedKey = key;
        result.entriesOut++;
      }
      heap.advanceTop();
      if (++n % YIELD_EVERY === 0) {
        if (limiter !== undefined) {
          const written = result.bytesWritten + (builder?.estimatedSize ?? 0);
          const waitMs = limiter.reserve(written - accounted);
          accounted = written;
          if (waitMs > 0) {
            result.rateLimitWaits++;
            result.rateLimitMillis += waitMs;
            await new Promise((r) => setTimeout(r, waitMs));
          }
        }
        if (env.yieldToEventLoop !== undefined) await env.yieldToEventLoop();
      }
    }
    await finishOutput();
    if (result.outputs.length > 0) await fs.syncDir(job.dir);
    return result;
  } catch (err) {
    for (const p of created) {
      try {
        fs.unlink(p);
      } catch {
        // not there
      }
    }
    throw err;
  } finally {
    for (const it of its) it.close();
    for (const r of readers) r.unref();
  }
}

/** Min-heap of table iterators by (user key asc, trailer desc). */
class MergeHeap {
  readonly #h: TableIterator[];
  constructor(its: TableIterator[]) {
    this.#h = its.filter((i) => i.valid());
    for (let i = (this.#h.length >>> 1) - 1; i >= 0; i--) this.#down(i);
  }
  valid(): boolean {
    return this.#h.length > 0;
  }
  top(): TableIterator {
    return this.#h[0]!;
  }
  advanceTop(): void {
    const h = this.#h;
    h[0]!.next();
    if (!h[0]!.valid()) {
      const last = h.pop()!;
      if (h.length === 0) return;
      h[0] = last;
    }
    this.#down(0);
  }
  static #less(a: TableIterator, b: TableIterator): boolean {
    const ka = a.key();
    const kb = b.key();
    return ka < kb || (ka === kb && a.trailer() > b.trailer());
  }
  #down(i: number): void {
    const h = this.#h;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && MergeHeap.#less(h[r]!, h[l]!) ? r : l;
      if (!MergeHeap.#less(h[m]!, h[i]!)) return;
      const t = h[i]!;
      h[i] = h[m]!;
      h[m] = t;
      i = m;
    }
  }
}
