// Open tables by file number, bounded by tableCacheSize (evicted in the order they were opened). The cache holds one reference on each
// TableReader; evicting drops it, and the file closes once no cursor holds the reader either.
import { CorruptionError, toIOError } from '../errors/errors.js';
import { tableFileName } from '../format/filenames.js';
import type { FileSystem } from '../fs/file-system.js';
import type { BlockCache } from '../sstable/block-cache.js';
import { TableReader, type PreparsedTable, type TableCounters } from '../sstable/table-reader.js';

export class TableCache {
  readonly #dir: string;
  readonly #fs: FileSystem;
  readonly #capacity: number;
  readonly #tables = new Map<number, TableReader>();
  /** Index and filter handed over by the writers of tables installed but not opened yet (offer()). */
  readonly #offered = new Map<number, PreparsedTable>();
  readonly blockCache: BlockCache | undefined;
  readonly counters: TableCounters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
  opens = 0;
  /** Opens that read a filter block. */
  filterLoads = 0;
  /** Opens that took index and filter from the table's writer (offer). */
  adopted = 0;

  constructor(dir: string, fs: FileSystem, capacity: number, blockCache: BlockCache | undefined) {
    this.#dir = dir;
    this.#fs = fs;
    this.#capacity = capacity;
    this.blockCache = blockCache;
  }

  /** The open reader for a table (opened on a miss). Throws CorruptionError or IOError. */
  get(fileNum: number): TableReader {
    const t = this.#tables.get(fileNum);
    // Eviction is by age of opening (FIFO), not recency: a hit costs one Map lookup.
    if (t !== undefined) return t;
    return this.#open(fileNum, this.#offered.get(fileNum));
  }

  /**
   * Keeps the index and filter a table's writer handed over until the table's first get(), which opens it with
   * them (footer, metaindex and properties only) instead of reading and checking the whole index and filter:
   * whether that get is the background warm-up's or a read's that reached the just-installed table first.
   */
  offer(fileNum: number, preparsed: PreparsedTable): void {
    if (!this.#tables.has(fileNum)) this.#offered.set(fileNum, preparsed);
  }

  #open(fileNum: number, preparsed: PreparsedTable | undefined): TableReader {
    const name = tableFileName(fileNum);
    let file;
    try {
      file = this.#fs.openRead(`${this.#dir}/${name}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CorruptionError(name, -1, 'table file referenced by the MANIFEST is missing');
      }
      throw toIOError(err, `open ${name}`);
    }
    const reader = TableReader.open(file, fileNum, name, this.blockCache, this.counters, preparsed);
    this.#offered.delete(fileNum);
    this.opens++;
    if (preparsed !== undefined) this.adopted++;
    else if (reader.hasFilter) this.filterLoads++;
    this.#tables.set(fileNum, reader);
    if (this.#tables.size > this.#capacity) {
      const [oldNum, old] = this.#tables.entries().next().value as [number, TableReader];
      this.#tables.delete(oldNum);
      old.unref();
    }
    return reader;
  }

  /** Drops a table (its file is being deleted). */
  evict(fileNum: number): void {
    this.#offered.delete(fileNum);
    const t = this.#tables.get(fileNum);
    if (t !== undefined) {
      this.#tables.delete(fileNum);
      t.unref();
    }
  }

  close(): void {
    for (const t of this.#tables.values()) t.unref();
    this.#tables.clear();
    this.#offered.clear();
    this.blockCache?.clear();
  }
}
