// GraniteDB: the engine. Owns the memtables, the WAL, the version set and the background flush.
//
// Write pipeline (group commit; invariants first):
//   - one leader at a time drains the queue; await points in the leader are the only places other code runs;
//   - a write is visible (lastSeq published) only after its WAL record was appended, and synced if any writer
//     in its group asked for sync, and after it was applied to the memtable;
//   - the sequence numbers of a group are assigned, appended and applied with no await in between except the
//     fsync, during which newcomers queue and form the next group.
//   submit: validate -> encode (a private copy of the batch) -> queue -> (microtask) leader:
//     make room (sticky error? stall while too many imms; memtable full -> rotate WAL, freeze, schedule flush)
//     -> assign seqs -> one WAL append (+ one fsync if any sync) -> apply to memtable -> publish -> resolve.
// Read path: memtable -> immutable memtables (newest first) -> Version (L0 newest first, then L1..).
// Flush: oldest immutable memtable -> L0 table (synced) -> MANIFEST edit (new file, logNumber) -> drop the imm
//   -> delete WALs below logNumber.
import { dirname, join, resolve as resolvePath } from 'node:path';
import {
  AlreadyExistsError,
  CorruptionError,
  DatabaseClosedError,
  GraniteError,
  InvalidArgumentError,
  LockedError,
  NotFoundError,
  ReadOnlyError,
  toIOError,
} from '../errors/errors.js';
import { BATCH_HEADER_SIZE } from '../format/batch.js';
import {
  CURRENT,
  LOCK,
  manifestFileName,
  parseFileName,
  tableFileName,
  walFileName,
} from '../format/filenames.js';
import { Kind, MAX_SEQ } from '../format/keys.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import type { FileLockHandle, FileSystem } from '../fs/file-system.js';
import { resolveOptions, type Options } from '../options/options.js';
import { codecUnavailable } from '../sstable/compression.js';
import { batchCount, batchSeq, visitBatch } from '../batch/batch-reader.js';
import { WriteBatch, encodeSingle } from '../batch/write-batch.js';
import { toBinaryBound, toBinaryKey, type KeyLike } from '../keys/user-key.js';
import { Memtable, memtableHash, reserveWriteMemory } from '../memtable/memtable.js';
import { LookupResult } from '../keys/lookup-result.js';
import { MemtableCursor } from '../memtable/memtable-cursor.js';
import type { SourceCursor } from '../iter/source-cursor.js';
import { bloomHash } from '../util/bloom.js';
import { BlockCache } from '../sstable/block-cache.js';
import { batchBuffers, entryArrays, writeBuffers } from '../util/buffer-pool.js';
import { IdleWorkerMemory, WORKER_MEMORY_BYTES } from '../util/idle-worker-memory.js';
import { scratchLender } from '../util/scratch.js';
import { TurnGate } from '../util/turn-gate.js';
import { putFixed64 } from '../util/coding.js';
import { LogWriter } from '../wal/log-writer.js';
import { readLogFile } from '../wal/log-reader.js';
import type { FileMeta } from '../version/file-meta.js';
import { TableCache } from '../version/table-cache.js';
import { VersionSet } from '../version/version-set.js';
import type { VersionEdit } from '../version/version-edit.js';
import { DBCursor, DBIterator, resolveBounds, type IteratorOptions, type RangeOptions } from './db-cursor.js';
import { preparsedOf, type TableHandover } from '../compaction/table-handover.js';
import {
  FLUSH_WORKER_IDLE_MS,
  flushWorkerLimits,
  writeLevel0Table,
  writeLevel0TableInWorker,
} from './flush-job.js';
import type { FlushedTable } from '../compaction/flush-table.js';
import {
  makeTask,
  overlapping,
  pendingCompactionBytes,
  pickLeveled,
  pickTiered,
  type PickerOptions,
} from '../compaction/picker.js';
import { runCompaction } from '../compaction/run.js';
import type { CompactionJob, CompactionResult, CompactionTask } from '../compaction/task.js';
import { WorkerPool } from '../compaction/worker/pool.js';
import { NUM_LEVELS } from '../format/manifest.js';
import { Snapshot } from './snapshot.js';
import { emptyCounters, spaceAmplificationOf, type DBStats, type DBCounters } from './stats.js';

export interface WriteOptions {
  /** fdatasync the WAL before resolving. @default options.syncWrites */
  sync?: boolean;
}
export interface ReadOptions {
  snapshot?: Snapshot;
}
export interface CursorOptions extends RangeOptions {
  snapshot?: Snapshot;
}
export interface DBIteratorOptions extends IteratorOptions {
  snapshot?: Snapshot;
}

interface InflightCompaction {
  /** Set (synchronously) when the worker's result arrives. */
  edit: VersionEdit | undefined;
  /** The result's hand-overs (parsed index and filter per output), with the edit. */
  tables: TableHandover[] | undefined;
  installed: boolean;
  error: unknown;
}

interface PendingWrite {
  rep: Buffer;
  /** The batch `rep` was lent by (WriteBatch.lend), which gets it back once the write is done; else the engine
   *  owns `rep` and gives it to the batch-buffer pool. */
  owner?: WriteBatch;
  sync: boolean;
  /** A request to freeze the memtable (flush()), ordered with the writes around it. */
  rotate?: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Hands a finished write's bytes back: to the batch that lent them, else to the batch-buffer pool. */
function returnRep(rep: Buffer, owner: WriteBatch | undefined): void {
  if (owner !== undefined) owner.giveBack(rep);
  else batchBuffers.give(rep);
}

/** Ends a write (the WAL and the memtable no longer read its bytes): returns them, then settles its promise. */
function settleWrite(w: PendingWrite, err: unknown): void {
  returnRep(w.rep, w.owner);
  if (err === undefined) w.resolve();
  else w.reject(err);
}

const WRITE_OPTION_NAMES = new Set(['sync']);
const READ_OPTION_NAMES = new Set(['snapshot']);
const ITER_OPTION_NAMES = new Set([
  'gt',
  'gte',
  'lt',
  'lte',
  'prefix',
  'reverse',
  'limit',
  'snapshot',
  'keys',
  'values',
]);
const CURSOR_OPTION_NAMES = new Set(['gt', 'gte', 'lt', 'lte', 'prefix', 'reverse', 'snapshot']);

function checkOptionNames(o: unknown, allowed: Set<string>, what: string): void {
  if (o === undefined || o === null) return;
  if (typeof o !== 'object') throw new InvalidArgumentError(`${what} options must be an object`);
  for (const k of Object.keys(o))
    if (!allowed.has(k)) throw new InvalidArgumentError(`unknown ${what} option '${k}'`);
}

/**
 * Heap bound for compaction workers: a merge allocates short-lived key strings and block buffers at a high rate,
 * and V8's default young generation let each worker grow by tens of MiB; with 8 MiB scavenges come sooner and
 * cost little, since almost nothing survives them (measured: child peak RSS through fillrandom, overwrite and
 * the reads 397-402 -> 384-392 MiB, same write rates). The old generation stays unbounded: a worker that hit
 * a bound would die mid-compaction.
 */
const COMPACTION_WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 } as const;

/** The background workers a database with these options may start (0: flushes and compactions run here). */
function workerSlots(o: Options): number {
  if (o.backgroundThreads === 0 || o.fileSystem !== undefined) return 0;
  return o.backgroundThreads + (o.flushInWorker ? 1 : 0);
}

export class GraniteDB {
  readonly #dir: string;
  readonly #opts: Options;
  readonly #fs: FileSystem;
  /** The workers' memory, lent to the block cache while none is alive (ADR 0022). */
  readonly #workerMemory: IdleWorkerMemory;
  readonly #vs: VersionSet;
  readonly #tables: TableCache;
  #lock: FileLockHandle | undefined;
  #mem: Memtable;
  #imms: Memtable[] = []; // oldest first
  /** Settles async reads; holds a tight chain of them for a turn of the event loop every 2 ms (turn-gate.ts). */
  readonly #turns = new TurnGate();
  #wal: LogWriter | undefined;
  #lastSeq = 0;
  readonly #snapshots = new Set<Snapshot>();
  #closed = false;
  #closing: Promise<void> | undefined;
  #bgError: GraniteError | undefined;
  #queue: PendingWrite[] = [];
  #leaderActive = false;
  #leaderIdle: (() => void)[] = [];
  #flushing: Promise<void> | undefined;
  #roomWaiters: (() => void)[] = [];
  #openCursors = 0;
  readonly #counters: DBCounters = emptyCounters();
  #pool: WorkerPool | undefined;
  /** The flush worker (one thread, started by the first background flush). */
  #flushPool: WorkerPool | undefined;
  /** Lowers the write-memory pools' caps raised at open (reserveWriteMemory); idempotent. */
  #releaseWriteMemory: () => void = () => undefined;
  /** The worker compaction running now, for #pollCompaction. */
  #inflight: InflightCompaction | undefined;
  /** Read work (a get 1, an iterator 16) since the event loop last turned, while a compaction runs. */
  #readsThisTurn = 0;
  #compacting: Promise<void> | undefined;
  #manualCompactions = 0;
  readonly #compactPointers: (string | undefined)[] = [];
  readonly #levelIO = Array.from({ length: NUM_LEVELS }, () => ({
    bytesRead: 0,
    bytesWritten: 0,
    compactions: 0,
  }));
  readonly #lookup = { value: undefined as Buffer | undefined, tablesProbed: 0 };

  private constructor(dir: string, opts: Options, fs: FileSystem) {
    this.#dir = dir;
    this.#opts = opts;
    this.#fs = fs;
    this.#vs = new VersionSet(dir, fs);
    // The cache borrows what the memtable pools hold while no memtable needs it (ADR 0019), this thread's idle
    // scratch buffers, and the workers' memory while none is alive (ADR 0022).
    this.#workerMemory = new IdleWorkerMemory(WORKER_MEMORY_BYTES * workerSlots(opts));
    const lenders = [writeBuffers, entryArrays, scratchLender, this.#workerMemory];
    const cache = opts.blockCacheSize > 0 ? new BlockCache(opts.blockCacheSize, lenders) : undefined;
    this.#tables = new TableCache(dir, fs, opts.tableCacheSize, cache);
    this.#mem = new Memtable(0);
  }

  /**
   * Opens (creating if allowed) the database in `dir`.
   * @throws INVALID_ARGUMENT (bad options), NOT_FOUND, ALREADY_EXISTS, LOCKED, CORRUPTION, IO
   */
  static async open(dir: string, options?: Partial<Options>): Promise<GraniteDB> {
    if (typeof dir !== 'string' || dir.length === 0)
      throw new InvalidArgumentError('dir must be a non-empty string');
    const opts = resolveOptions(options);
    const unavailable = codecUnavailable(opts.compression);
    if (unavailable !== undefined) throw new InvalidArgumentError(unavailable);
    const fs = opts.fileSystem ?? new NodeFileSystem();
    const absDir = resolvePath(dir);
    const db = new GraniteDB(absDir, opts, fs);
    await db.#openImpl();
    db.#maybeScheduleCompaction();
    return db;
  }

  /** Removes a closed database's files (and the directory if it is then empty). @throws LOCKED if open. */
  static async destroy(dir: string, options?: { fileSystem?: FileSystem }): Promise<void> {
    const fs = options?.fileSystem ?? new NodeFileSystem();
    const absDir = resolvePath(dir);
    if (!fs.exists(absDir)) return;
    let lock: FileLockHandle;
    try {
      lock = fs.lock(join(absDir, LOCK));
    } catch (err) {
      if ((err as { code?: string }).code === 'ELOCKED') throw new LockedError(`database ${absDir} is open`);
      throw toIOError(err, `lock ${absDir}`);
    }
    try {
      for (const name of fs.list(absDir)) {
        const parsed = parseFileName(name);
        if (parsed !== undefined && parsed.kind !== 'lock') fs.unlink(join(absDir, name));
      }
    } finally {
      lock.release();
    }
    try {
      fs.rmdir(absDir);
    } catch {
      // not empty (user files remain): leave it
    }
  }

  // ------------------------------------------------------------------ open and recovery

  async #openImpl(): Promise<void> {
    const fs = this.#fs;
    const dir = this.#dir;
    const o = this.#opts;
    let createdDir = false;
    this.#releaseWriteMemory = reserveWriteMemory(o.memtableSize);
    try {
      if (!fs.exists(dir)) {
        if (!o.createIfMissing || o.readOnly) throw new NotFoundError(`database ${dir} does not exist`);
        fs.mkdir(dir);
        createdDir = true;
        await fs.syncDir(dirname(dir)); // the new directory's entry survives a power loss
      }
      if (!o.readOnly) {
        try {
          this.#lock = fs.lock(join(dir, LOCK));
        } catch (err) {
          if ((err as { code?: string }).code === 'ELOCKED')
            throw new LockedError(`database ${dir} is locked: ${(err as Error).message}`);
          throw toIOError(err, `lock ${dir}`);
        }
      }
      const names = fs.list(dir);
      const hasCurrent = names.includes(CURRENT);
      if (!hasCurrent) {
        const engineFiles = names.filter((n) => {
          const k = parseFileName(n)?.kind;
          return k === 'manifest' || k === 'table' || k === 'wal';
        });
        // CURRENT is written last when a database is created, and replaced atomically later. Without it, a
        // directory holding only an empty WAL and MANIFESTs is a creation that crashed: start over. Tables or
        // a non-empty WAL mean data existed: that is damage.
        const holdsData = engineFiles.some((n) => {
          const k = parseFileName(n)!.kind;
          return k === 'table' || (k === 'wal' && fs.size(join(dir, n)) > 0);
        });
        if (holdsData) throw new CorruptionError(CURRENT, -1, 'CURRENT is missing but database files exist');
        if (!o.createIfMissing || o.readOnly) throw new NotFoundError(`database ${dir} does not exist`);
        for (const n of names) {
          const k = parseFileName(n)?.kind;
          if (k === 'wal' || k === 'manifest' || k === 'temp') fs.unlink(join(dir, n));
        }
        await this.#createNew();
      } else {
        if (o.errorIfExists) throw new AlreadyExistsError(`database ${dir} already exists`);
        await this.#recover(names);
      }
    } catch (err) {
      this.#releaseAll();
      if (createdDir) {
        try {
          for (const n of fs.list(dir)) fs.unlink(join(dir, n));
          fs.rmdir(dir);
        } catch {
          // best effort: leave nothing new behind
        }
      }
      throw err instanceof GraniteError ? err : toIOError(err, `open ${dir}`);
    }
  }

  async #createNew(): Promise<void> {
    const vs = this.#vs;
    const walNum = vs.newFileNumber();
    this.#wal = new LogWriter(
      this.#fs.create(join(this.#dir, walFileName(walNum))),
      this.#opts.walBytesPerSync,
    );
    this.#mem = new Memtable(walNum);
    await vs.writeNewManifest({ logNumber: walNum, newWals: [walNum] });
  }

  async #recover(names: string[]): Promise<void> {
    const fs = this.#fs;
    const vs = this.#vs;
    vs.recover();
    // Every table and live WAL the MANIFEST names must exist.
    const present = new Set(names);
    for (const f of vs.current.allFiles()) {
      const n = tableFileName(f.fileNum);
      if (!present.has(n))
        throw new CorruptionError(n, -1, 'table file referenced by the MANIFEST is missing');
    }
    // WALs are deleted only after the MANIFEST moved past them, so a live WAL that is missing means the
    // MANIFEST lost records (truncated, or rolled back) — or someone deleted the WAL. Name the MANIFEST.
    for (const w of vs.liveWals) {
      if (!present.has(walFileName(w))) {
        const m = manifestFileName(vs.manifestNumber);
        throw new CorruptionError(
          m,
          vs.manifestTornAt >= 0 ? vs.manifestTornAt : vs.manifestSize,
          `MANIFEST is truncated or damaged: it names ${walFileName(w)} as live, which is missing`,
        );
      }
    }
    // Files numbered at or above the MANIFEST's next file number are leftovers of work a crash interrupted
    // (outputs never recorded, a WAL created before its edit was durable): number new files above them all so
    // the sweep after recovery removes them.
    for (const n of names) {
      const p = parseFileName(n);
      if (p !== undefined && p.num >= vs.nextFileNumber) vs.nextFileNumber = p.num + 1;
    }
    // Replay WALs >= logNumber in order into memtables; full ones are written to L0 as they fill.
    const wals = names
      .map((n) => parseFileName(n))
      .filter((p): p is { kind: 'wal'; num: number } => p?.kind === 'wal' && p.num >= vs.logNumber)
      .map((p) => p.num)
      .sort((a, b) => a - b);
    // A torn tail is allowed in the last WAL holding bytes: WALs after it are empty ones that a rotation or a
    // recovery created before the older WAL's tail was durable (a WAL takes writes only once all older are).
    let lastWithData = wals.length - 1;
    while (lastWithData > 0 && fs.size(join(this.#dir, walFileName(wals[lastWithData]!))) === 0)
      lastWithData--;
    let maxSeq = vs.lastSequence;
    let mem = new Memtable(0);
    const newFiles: { level: number; meta: FileMeta }[] = [];
    const handovers: TableHandover[] = [];
    const writeRecovered = async (m: Memtable): Promise<void> => {
      const flushed = await this.#writeL0(m, false);
      newFiles.push({ level: 0, meta: flushed.meta });
      if (flushed.table !== undefined) handovers.push(flushed.table);
    };
    let stop = false;
    const mode = this.#opts.walRecoveryMode;
    // Sequence numbers continue from one record to the next across all replayed WALs (a group takes the
    // numbers after the last published one, and an older WAL is synced before a newer one takes writes), and
    // the first replayed record is at most the MANIFEST's last sequence + 1 (every flush edit records the
    // last sequence, and the WALs it makes obsolete hold everything before the next live WAL). A jump means
    // records are missing: an older WAL that lost whole records (cut at a record boundary) reads as intact.
    let nextSeq = -1; // -1: no record yet
    let prevWal = ''; // the WAL before the one being read, and its size
    let prevWalSize = 0;
    for (let i = 0; i < wals.length && !stop; i++) {
      const name = walFileName(wals[i]!);
      let bytes: Buffer;
      try {
        bytes = fs.readFile(join(this.#dir, name));
      } catch (err) {
        throw toIOError(err, `read ${name}`);
      }
      let firstInFile = true;
      const outcome = readLogFile(bytes, name, mode, i >= lastWithData, (r) => {
        if (stop) return;
        try {
          visitBatch(r.data, r.data.length, name, r.offset, () => undefined);
        } catch (err) {
          if (mode === 'skip-any-corrupted') return;
          throw err;
        }
        const seq = batchSeq(r.data);
        const n = batchCount(r.data);
        const expected = nextSeq >= 0 ? nextSeq : vs.lastSequence + 1;
        if ((nextSeq >= 0 ? seq !== expected : seq > expected) && mode !== 'skip-any-corrupted') {
          if (mode === 'point-in-time') {
            this.#info(
              `WAL ${name}: sequence ${seq} at offset ${r.offset}, expected ${expected}; replay stops`,
            );
            stop = true;
            return;
          }
          const gap = `sequence numbers jump from ${expected - 1} to ${seq}`;
          throw firstInFile && prevWal !== ''
            ? new CorruptionError(
                prevWal,
                prevWalSize,
                `${gap} at the next WAL ${name}: this WAL lost its last records`,
              )
            : new CorruptionError(name, r.offset, `${gap}: records before this one are missing`);
        }
        firstInFile = false;
        nextSeq = seq + n;
        if (n === 0) return;
        mem.addBatch(r.data, r.data.length, seq); // copied: r.data is a view into the WAL's bytes
        if (seq + n - 1 > maxSeq) maxSeq = seq + n - 1;
      });
      if (outcome.damageOffset >= 0) {
        this.#info(
          `WAL ${name}: ${outcome.damage} at offset ${outcome.damageOffset}; records from there on dropped`,
        );
      }
      if (outcome.truncated && mode === 'point-in-time') stop = true;
      prevWal = name;
      prevWalSize = bytes.length;
      this.#lastSeq = maxSeq; // flushes below drop versions shadowed before maxSeq
      if (!this.#opts.readOnly && mem.approximateBytes >= this.#opts.memtableSize) {
        await writeRecovered(mem);
        mem = new Memtable(0);
      }
    }
    this.#lastSeq = maxSeq;
    if (this.#opts.readOnly) {
      this.#mem = mem;
      return;
    }
    if (!mem.isEmpty) await writeRecovered(mem);
    const walNum = vs.newFileNumber();
    this.#wal = new LogWriter(fs.create(join(this.#dir, walFileName(walNum))), this.#opts.walBytesPerSync);
    this.#mem = new Memtable(walNum);
    await fs.syncDir(this.#dir);
    // The new MANIFEST makes the replayed tables and the new WAL durable; older WALs become obsolete.
    vs.liveWals.clear();
    await vs.writeNewManifest({ newFiles, logNumber: walNum, newWals: [walNum], lastSequence: maxSeq });
    for (const f of newFiles) this.#pendingOutputs.delete(f.meta.fileNum);
    this.#warmTables(newFiles, handovers); // opened with the index and filter the flush parsed
    this.#deleteObsoleteFiles();
    await this.#settleUnlinks(); // an opened database holds no obsolete files
    if (this.#opts.paranoidChecks) {
      for (const f of vs.current.allFiles()) this.#tables.get(f.fileNum).verifyAll();
    }
  }

  /** Writes `mem` to a new L0 table. The file number stays in #pendingOutputs (safe from the obsolete-file
   *  sweep) until the caller has installed it and called #pendingOutputs.delete. */
  #writeL0(mem: Memtable, background: boolean): Promise<FlushedTable> {
    const o = this.#opts;
    const t0 = performance.now();
    const fileNum = this.#vs.newFileNumber();
    this.#pendingOutputs.add(fileNum);
    const table = {
      blockSize: o.blockSize,
      restartInterval: o.restartInterval,
      bloomBitsPerKey: o.bloomBitsPerKey,
      compression: o.compression,
    };
    // Background flushes run in their own worker thread (ADR 0010) on the real file system when
    // flushInWorker; recovery, an injected file system and backgroundThreads 0 build the table here.
    let written: Promise<FlushedTable>;
    if (background && o.flushInWorker && o.backgroundThreads > 0 && o.fileSystem === undefined) {
      this.#flushPool ??= new WorkerPool(
        1,
        flushWorkerLimits(o.memtableSize),
        o.backgroundNice,
        FLUSH_WORKER_IDLE_MS,
        this.#workerMemory,
      );
      written = writeLevel0TableInWorker(
        mem,
        fileNum,
        this.#dir,
        this.#flushPool,
        table,
        this.#oldestSnapshot(),
      );
    } else {
      written = writeLevel0Table(
        mem,
        fileNum,
        this.#dir,
        this.#fs,
        table,
        this.#oldestSnapshot(),
        background,
      );
    }
    return written.then((flushed) => {
      const size = flushed.meta.size;
      this.#counters.flushes++;
      this.#counters.flushBytes += size;
      this.#counters.bytesWrittenToDisk += size;
      this.#counters.flushMillis += performance.now() - t0;
      return flushed;
    });
  }

  /** Deletes files no live version, WAL or MANIFEST needs. */
  #deleteObsoleteFiles(): void {
    const fs = this.#fs;
    const vs = this.#vs;
    const liveTables = vs.liveTableNumbers();
    let names: string[];
    try {
      names = fs.list(this.#dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = parseFileName(name);
      if (p === undefined) continue;
      let obsolete = false;
      switch (p.kind) {
        case 'wal':
          obsolete =
            p.num < vs.logNumber &&
            !this.#imms.some((m) => m.walNumber === p.num) &&
            p.num !== this.#mem.walNumber;
          break;
        case 'manifest':
          obsolete = p.num !== vs.manifestNumber;
          break;
        case 'table':
          obsolete = !liveTables.has(p.num) && p.num < vs.nextFileNumber && !this.#pendingOutputs.has(p.num);
          break;
        case 'temp':
          obsolete = !this.#pendingOutputs.has(p.num);
          break;
      }
      if (obsolete && !this.#unlinking.has(name)) {
        if (p.kind === 'table') this.#tables.evict(p.num);
        this.#removeFile(name);
      }
    }
  }
  readonly #pendingOutputs = new Set<number>();

  /** Obsolete files being removed off the event loop, by name, with the promise of their removal. */
  readonly #unlinking = new Map<string, Promise<void>>();

  /** Removes obsolete file `name`, off the event loop when the file system can; a failure is retried by the
   *  next sweep. */
  #removeFile(name: string): void {
    const fs = this.#fs;
    const path = join(this.#dir, name);
    if (fs.unlinkAsync === undefined) {
      try {
        fs.unlink(path);
      } catch {
        // retried at the next cleanup
      }
      return;
    }
    const done = fs.unlinkAsync(path).then(
      () => void this.#unlinking.delete(name),
      () => void this.#unlinking.delete(name),
    );
    this.#unlinking.set(name, done);
  }

  /** Resolves when every obsolete-file removal started so far has finished. */
  async #settleUnlinks(): Promise<void> {
    while (this.#unlinking.size > 0) await Promise.all(this.#unlinking.values());
  }

  #info(message: string): void {
    this.#opts.logger?.info(message);
  }

  // ------------------------------------------------------------------ writes

  #checkWritable(): void {
    if (this.#closed) throw new DatabaseClosedError();
    if (this.#opts.readOnly) throw new ReadOnlyError();
  }

  #syncOf(opts: WriteOptions | undefined): boolean {
    checkOptionNames(opts, WRITE_OPTION_NAMES, 'write');
    const s = opts?.sync;
    if (s === undefined) return this.#opts.syncWrites;
    if (typeof s !== 'boolean') throw new InvalidArgumentError('option sync must be a boolean');
    return s;
  }

  /** Stores `value` under `key`. @throws INVALID_ARGUMENT, CLOSED, READ_ONLY, IO */
  put(key: KeyLike, value: KeyLike, opts?: WriteOptions): Promise<void> {
    try {
      this.#checkWritable();
      const sync = this.#syncOf(opts);
      return this.#submit(encodeSingle(Kind.Value, key, value), sync);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Deletes `key` (a no-op if absent). @throws INVALID_ARGUMENT, CLOSED, READ_ONLY, IO */
  delete(key: KeyLike, opts?: WriteOptions): Promise<void> {
    try {
      this.#checkWritable();
      const sync = this.#syncOf(opts);
      return this.#submit(encodeSingle(Kind.Delete, key, undefined), sync);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Applies every operation of `batch` atomically. @throws INVALID_ARGUMENT, CLOSED, READ_ONLY, IO */
  write(batch: WriteBatch, opts?: WriteOptions): Promise<void> {
    try {
      this.#checkWritable();
      if (!(batch instanceof WriteBatch)) throw new InvalidArgumentError('batch must be a WriteBatch');
      const sync = this.#syncOf(opts);
      if (batch.length === 0) return Promise.resolve();
      return this.#submit(batch.lend(), sync, batch);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #submit(rep: Buffer, sync: boolean, owner?: WriteBatch): Promise<void> {
    if (this.#bgError !== undefined) {
      returnRep(rep, owner);
      return Promise.reject(this.#bgError);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ rep, owner, sync, resolve, reject });
      if (!this.#leaderActive) {
        this.#leaderActive = true;
        queueMicrotask(() => void this.#lead());
      }
    });
  }

  async #lead(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        if (this.#queue[0]!.rotate === true) {
          const r = this.#queue.shift()!;
          try {
            if (this.#bgError !== undefined) throw this.#bgError;
            await this.#makeRoom(true);
            r.resolve();
          } catch (err) {
            // The MANIFEST may hold the new WAL's record already: stop writing until reopened.
            this.#setBackgroundError(err);
            r.reject(this.#bgError);
          }
          continue;
        }
        if (this.#bgError === undefined) {
          try {
            await this.#makeRoom();
          } catch (err) {
            this.#setBackgroundError(err);
          }
        }
        const cut = this.#queue.findIndex((w) => w.rotate === true);
        const group = cut < 0 ? this.#queue : this.#queue.slice(0, cut);
        this.#queue = cut < 0 ? [] : this.#queue.slice(cut);
        if (this.#bgError !== undefined) {
          for (const w of group) settleWrite(w, this.#bgError);
          continue;
        }
        // no await between assigning sequence numbers and the WAL append
        let seq = this.#lastSeq + 1;
        if (seq + this.#groupCount(group) - 1 > MAX_SEQ) {
          const err = new InvalidArgumentError('sequence numbers exhausted (2^45 writes)');
          for (const w of group) settleWrite(w, err);
          continue;
        }
        let sync = false;
        const reps: Buffer[] = new Array(group.length);
        let bytes = 0;
        for (let i = 0; i < group.length; i++) {
          const w = group[i]!;
          putFixed64(w.rep, 0, seq);
          seq += batchCount(w.rep);
          reps[i] = w.rep;
          bytes += w.rep.length;
          if (w.sync) sync = true;
        }
        try {
          this.#wal!.addRecords(reps);
          if (sync) {
            this.#counters.walSyncs++;
            await this.#wal!.sync();
          }
        } catch (err) {
          this.#setBackgroundError(toIOError(err, `write ${walFileName(this.#mem.walNumber)}`));
          for (const w of group) settleWrite(w, this.#bgError);
          continue;
        }
        const mem = this.#mem;
        for (const w of group) mem.addBatch(w.rep, w.rep.length, batchSeq(w.rep));
        this.#lastSeq = seq - 1; // publish: the group is now visible
        const c = this.#counters;
        c.writeGroups++;
        c.writes += group.length;
        c.userBytesWritten += bytes - BATCH_HEADER_SIZE * group.length;
        c.walBytesWritten += bytes;
        c.bytesWrittenToDisk += bytes;
        for (const w of group) settleWrite(w, undefined);
      }
    } finally {
      this.#leaderActive = false;
      const idle = this.#leaderIdle;
      this.#leaderIdle = [];
      for (const f of idle) f();
    }
  }

  #groupCount(group: PendingWrite[]): number {
    let n = 0;
    for (const w of group) n += batchCount(w.rep);
    return n;
  }

  #setBackgroundError(err: unknown): void {
    if (this.#bgError !== undefined) return;
    const e = err instanceof GraniteError ? err : toIOError(err, 'background work');
    this.#bgError = e;
    this.#opts.logger?.warn(`background error: ${e.message}`);
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const f of waiters) f();
  }

  /** Ensures the memtable has room; may rotate it and may wait for a flush. Only the leader calls this. */
  async #makeRoom(force = false): Promise<void> {
    const o = this.#opts;
    const l0 = this.#vs.current.levels[0]!.length;
    const pending = this.#pendingCompactionBytes();
    if (!force && (l0 >= o.level0SlowdownTrigger || pending >= o.softPendingCompactionBytesLimit)) {
      const t0 = performance.now();
      if (this.#mustStop()) {
        // Wait (on a promise) until compaction brings L0 below the stop trigger and the owed bytes below
        // the hard limit (or no compaction is left to run).
        this.#counters.stopStalls++;
        if (pending >= o.hardPendingCompactionBytesLimit) this.#counters.pendingBytesStops++;
        this.#maybeScheduleCompaction();
        while (this.#mustStop() && this.#bgError === undefined && this.#compacting !== undefined) {
          await new Promise<void>((r) => this.#roomWaiters.push(r));
        }
      } else {
        // Slow down: give compaction 1 ms per write group, as LevelDB does once per write.
        this.#counters.slowdowns++;
        if (pending >= o.softPendingCompactionBytesLimit) this.#counters.pendingBytesSlowdowns++;
        await new Promise((r) => setTimeout(r, 1));
      }
      this.#counters.stallMillis += performance.now() - t0;
      if (this.#bgError !== undefined) throw this.#bgError;
    }
    if (!force && this.#mem.approximateBytes < this.#opts.memtableSize) return;
    if (this.#mem.isEmpty) return;
    const t0 = performance.now();
    let stalled = false;
    while (this.#imms.length >= this.#opts.maxImmutableMemtables && this.#bgError === undefined) {
      stalled = true;
      await new Promise<void>((r) => this.#roomWaiters.push(r));
    }
    if (stalled) {
      this.#counters.stalls++;
      this.#counters.stallMillis += performance.now() - t0;
    }
    if (this.#bgError !== undefined) throw this.#bgError;
    const vs = this.#vs;
    const num = vs.newFileNumber();
    const file = this.#fs.create(join(this.#dir, walFileName(num)));
    const old = this.#wal!;
    try {
      // The older WAL is durable before a newer one takes writes (recovery replays in order); its background
      // syncs (walBytesPerSync) leave only the last bytes to write here.
      await old.sync();
      await this.#fs.syncDir(this.#dir);
      await vs.logAndApply({ newWals: [num] });
    } catch (err) {
      file.close();
      throw toIOError(err, `rotate WAL to ${walFileName(num)}`);
    }
    old.close();
    this.#imms.push(this.#mem);
    this.#mem = new Memtable(num, this.#mem.keyCount);
    this.#wal = new LogWriter(file, this.#opts.walBytesPerSync);
    this.#scheduleFlush();
  }

  /** True while L0 is at its stop trigger or compaction owes at least hardPendingCompactionBytesLimit. */
  #mustStop(): boolean {
    const o = this.#opts;
    return (
      this.#vs.current.levels[0]!.length >= o.level0StopTrigger ||
      this.#pendingCompactionBytes() >= o.hardPendingCompactionBytesLimit
    );
  }

  #pendingFor: object | undefined;
  #pendingBytes = 0;
  /** pendingCompactionBytes() of the current version, computed once per version. */
  #pendingCompactionBytes(): number {
    const v = this.#vs.current;
    if (this.#pendingFor !== v) {
      this.#pendingBytes = pendingCompactionBytes(v.levels, this.#opts);
      this.#pendingFor = v;
    }
    return this.#pendingBytes;
  }

  #scheduleFlush(): void {
    if (this.#flushing !== undefined || this.#imms.length === 0 || this.#bgError !== undefined) return;
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
    });
  }

  async #flushLoop(): Promise<void> {
    while (this.#imms.length > 0 && this.#bgError === undefined) {
      const imm = this.#imms[0]!;
      const edit: VersionEdit = {};
      let handedOver: TableHandover | undefined;
      try {
        if (!imm.isEmpty) {
          const flushed = await this.#writeL0(imm, true);
          edit.newFiles = [{ level: 0, meta: flushed.meta }];
          handedOver = flushed.table;
        }
        edit.logNumber = this.#imms[1]?.walNumber ?? this.#mem.walNumber;
        edit.lastSequence = this.#lastSeq;
        await this.#vs.logAndApply(edit);
      } catch (err) {
        this.#setBackgroundError(err);
        return;
      } finally {
        for (const f of edit.newFiles ?? []) this.#pendingOutputs.delete(f.meta.fileNum);
      }
      this.#imms.shift()!.retire();
      this.#deleteObsoleteFiles();
      this.#wakeRoomWaiters();
      this.#warmTables(edit.newFiles, handedOver === undefined ? undefined : [handedOver]);
      this.#maybeScheduleCompaction();
    }
  }

  #wakeRoomWaiters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const f of waiters) f();
  }

  // ------------------------------------------------------------------ compaction

  get #pickerOptions(): PickerOptions {
    const o = this.#opts;
    return {
      compactionStyle: o.compactionStyle,
      level0CompactionTrigger: o.level0CompactionTrigger,
      maxBytesForLevelBase: o.maxBytesForLevelBase,
      levelMultiplier: o.levelMultiplier,
      targetFileSize: o.targetFileSize,
    };
  }

  #pick(): CompactionTask | undefined {
    const levels = this.#vs.current.levels;
    return this.#opts.compactionStyle === 'tiered'
      ? pickTiered(levels, this.#pickerOptions)
      : pickLeveled(
          levels,
          this.#pickerOptions,
          this.#compactPointers,
          undefined,
          this.#opts.seekCompaction ? this.#vs.current.seekCandidate : undefined,
        );
  }

  /** Starts the background compaction loop if work is due and none is running. */
  #maybeScheduleCompaction(): void {
    if (this.#compacting !== undefined || this.#closed || this.#opts.readOnly) return;
    if (this.#bgError !== undefined || this.#manualCompactions > 0) return;
    if (this.#pick() === undefined) return;
    this.#compacting = this.#compactionLoop().finally(() => {
      this.#compacting = undefined;
      this.#maybeScheduleCompaction();
    });
  }

  async #compactionLoop(): Promise<void> {
    for (;;) {
      if (this.#closed || this.#bgError !== undefined || this.#manualCompactions > 0) return;
      const task = this.#pick();
      if (task === undefined) return;
      try {
        await this.#runTask(task);
      } catch (err) {
        this.#setBackgroundError(err);
        return;
      }
    }
  }

  /**
   * Counts read work while a worker compaction runs. A finished compaction normally installs when its
   * message arrives, which needs the event loop to turn; reads in a synchronous loop (or a chain of
   * microtasks) never let it, and would keep probing the tables it replaced. Once 512 units of reads ran
   * within one turn, every further 256 poll the worker and may install the result here (its MANIFEST sync
   * included). Readers that let the event loop turn never pay for an install.
   */
  #countRead(weight: number): void {
    const before = this.#readsThisTurn;
    if (before === 0) setImmediate(() => (this.#readsThisTurn = 0));
    this.#readsThisTurn = before + weight;
    if (before >> 8 !== this.#readsThisTurn >> 8 && this.#readsThisTurn >= 512) this.#pollCompaction();
  }

  /**
   * Installs a finished worker compaction from a synchronous call, when its result has arrived (polled
   * without an event-loop turn) and the MANIFEST is idle: a program that reads synchronously for a long time
   * would otherwise keep reading the pre-compaction tables. The async path in #runTask then skips its install.
   */
  #pollCompaction(): void {
    const f = this.#inflight;
    if (f === undefined || f.installed || f.error !== undefined || this.#pool === undefined) return;
    if (f.edit === undefined) this.#pool.pollSync();
    if (f.edit === undefined || !this.#vs.idle) return;
    try {
      this.#vs.logAndApplySync(f.edit);
    } catch (err) {
      f.error = err;
      return;
    }
    f.installed = true;
    this.#deleteObsoleteFiles();
    this.#wakeRoomWaiters();
    this.#warmTables(f.edit.newFiles, f.tables);
  }

  /**
   * Opens tables a flush or compaction just installed, one per event-loop turn, so that the first read of
   * each does not pay for opening it (footer, index and filter: about 1 MB read, checked and parsed for a
   * 64 MiB table, measured at a median 11.5 ms inside a getSync during a sustained fill). A table whose writer
   * handed over its parsed index and filter (`tables`, ADR 0014) is opened with them: footer, metaindex and
   * properties only. A table that is no longer live is skipped; an error is left for the read that needs the
   * table to report.
   */
  #warmTables(files: VersionEdit['newFiles'], tables?: readonly TableHandover[]): void {
    if (files === undefined || files.length === 0) return;
    // A read that reaches a table before the warm-up opens it with what its writer handed over, too.
    for (const t of tables ?? []) this.#tables.offer(t.fileNum, preparsedOf(t));
    let i = 0;
    const step = (): void => {
      if (this.#closed || i >= files.length) return;
      const n = files[i++]!.meta.fileNum;
      for (const f of this.#vs.current.allFiles()) {
        if (f.fileNum !== n) continue;
        try {
          this.#tables.get(n); // with what the writer handed over, offered above
        } catch {
          // reported by the read that needs this table
        }
        break;
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  /** True when the task's L(n) inputs can move to L(n+1) by a MANIFEST edit alone. */
  #isTrivialMove(task: CompactionTask): boolean {
    if (task.outputLevel === task.level || task.inputs[1].length > 0) return false;
    const files = [...task.inputs[0]].sort((a, b) => (a.smallestKey < b.smallestKey ? -1 : 1));
    for (let i = 1; i < files.length; i++)
      if (files[i - 1]!.largestKey >= files[i]!.smallestKey) return false;
    let gp = 0;
    for (const f of task.grandparents) gp += f.size;
    return gp <= 10 * task.targetFileSize;
  }

  async #runTask(task: CompactionTask): Promise<void> {
    const vs = this.#vs;
    const t0 = performance.now();
    const deleted = [
      ...task.inputs[0].map((f) => ({ level: task.level, fileNum: f.fileNum })),
      ...task.inputs[1].map((f) => ({ level: task.outputLevel, fileNum: f.fileNum })),
    ];
    const c = this.#counters;
    if (this.#isTrivialMove(task)) {
      await vs.logAndApply({
        deletedFiles: deleted,
        newFiles: task.inputs[0].map((meta) => ({ level: task.outputLevel, meta })),
      });
      c.trivialMoves++;
    } else {
      let inputBytes = 0;
      for (const f of [...task.inputs[0], ...task.inputs[1]]) inputBytes += f.size;
      const outputs = Number.isFinite(task.targetFileSize)
        ? Math.ceil(inputBytes / task.targetFileSize) + 2
        : 1;
      const outputNumbers = Array.from({ length: outputs }, () => vs.newFileNumber());
      for (const n of outputNumbers) this.#pendingOutputs.add(n);
      const o = this.#opts;
      const job: CompactionJob = {
        task,
        dir: this.#dir,
        outputNumbers,
        smallestSnapshot: this.#oldestSnapshot(),
        blockSize: o.blockSize,
        restartInterval: o.restartInterval,
        bloomBitsPerKey: o.bloomBitsPerKey,
        compression: o.compression,
        rateLimit: o.compactionRateLimit, // one compaction runs at a time: it has the whole budget
      };
      try {
        // Worker threads read and write real files; with an injected file system, compaction runs in-process.
        // The pool starts with the first compaction, so short-lived opens never spawn threads.
        if (this.#pool === undefined && o.backgroundThreads > 0 && o.fileSystem === undefined) {
          this.#pool = new WorkerPool(
            o.backgroundThreads,
            COMPACTION_WORKER_LIMITS,
            o.backgroundNice,
            undefined,
            this.#workerMemory,
          );
        }
        const editFor = (r: CompactionResult): VersionEdit => ({
          deletedFiles: deleted,
          newFiles: r.outputs.map((meta) => ({ level: task.outputLevel, meta })),
        });
        let r: CompactionResult;
        if (this.#pool !== undefined) {
          // While the worker runs, reads may install its result synchronously (#pollCompaction).
          const inflight: InflightCompaction = {
            edit: undefined,
            tables: undefined,
            installed: false,
            error: undefined,
          };
          this.#inflight = inflight;
          try {
            r = await this.#pool.run(job, (res) => {
              inflight.edit = editFor(res);
              inflight.tables = res.tables;
            });
          } finally {
            this.#inflight = undefined;
          }
          if (inflight.error !== undefined) throw inflight.error;
          if (!inflight.installed) {
            const edit = editFor(r);
            await vs.logAndApply(edit);
            this.#warmTables(edit.newFiles, r.tables);
          }
        } else {
          r = await runCompaction(job, {
            fs: this.#fs,
            yieldToEventLoop: () => new Promise((res) => setImmediate(res)),
          });
          const edit = editFor(r);
          await vs.logAndApply(edit);
          this.#warmTables(edit.newFiles, r.tables);
        }
        c.compactionBytesRead += r.bytesRead;
        c.compactionBytesWritten += r.bytesWritten;
        c.bytesWrittenToDisk += r.bytesWritten;
        c.droppedDeletions += r.droppedDeletions;
        c.droppedShadowed += r.droppedShadowed;
        c.rateLimitWaits += r.rateLimitWaits;
        c.rateLimitMillis += r.rateLimitMillis;
        const io = this.#levelIO[task.outputLevel]!;
        io.bytesRead += r.bytesRead;
        io.bytesWritten += r.bytesWritten;
        io.compactions++;
      } finally {
        for (const n of outputNumbers) this.#pendingOutputs.delete(n);
      }
    }
    c.compactions++;
    if (task.reason === 'seek') c.seekCompactions++;
    c.compactionMillis += performance.now() - t0;
    if (task.level > 0 && task.inputs[0].length > 0) {
      this.#compactPointers[task.level] = task.inputs[0].reduce(
        (m, f) => (f.largestKey > m ? f.largestKey : m),
        '',
      );
    }
    this.#deleteObsoleteFiles();
    this.#wakeRoomWaiters();
  }

  /** Resolves when no flush or compaction is running or due (RocksDB's WaitForCompact). @throws CLOSED, IO */
  async waitForCompaction(): Promise<void> {
    this.#checkOpen();
    for (;;) {
      if (this.#bgError !== undefined) throw this.#bgError;
      this.#scheduleFlush();
      this.#maybeScheduleCompaction();
      const running = this.#flushing ?? this.#compacting;
      if (running === undefined) return this.#settleUnlinks();
      await running.catch(() => undefined);
    }
  }

  /**
   * Compacts every table holding keys in [start, end] (both inclusive; default: everything) down to the
   * deepest level holding any of them, dropping overwritten and deleted data no snapshot can see.
   * @throws INVALID_ARGUMENT, CLOSED, READ_ONLY, IO, CORRUPTION
   */
  async compactRange(start?: KeyLike, end?: KeyLike): Promise<void> {
    this.#checkWritable();
    const lo = start === undefined || start === null ? '' : toBinaryBound(start, 'start');
    const hi = end === undefined || end === null ? undefined : toBinaryBound(end, 'end');
    await this.flush();
    this.#manualCompactions++;
    try {
      while (this.#compacting !== undefined) await this.#compacting;
      if (this.#bgError !== undefined) throw this.#bgError; // the compaction waited for may have failed
      const inRange = (files: readonly FileMeta[]): FileMeta[] =>
        hi === undefined ? files.filter((f) => f.largestKey >= lo) : overlapping(files, lo, hi);
      if (this.#opts.compactionStyle === 'tiered') {
        const runs = this.#vs.current.levels[0]!;
        if (runs.length > 1) {
          const t = makeTask(
            this.#vs.current.levels,
            0,
            [...runs],
            { ...this.#pickerOptions, targetFileSize: Infinity },
            'manual',
          );
          await this.#runTask({
            ...t,
            outputLevel: 0,
            inputs: [[...runs], []],
            grandparents: [],
            bottommost: t.bottommost && t.inputs[1].length === 0, // nothing older in L1+
            targetFileSize: Infinity,
          });
        }
        return;
      }
      let deepest = -1;
      for (let l = 0; l < NUM_LEVELS; l++) if (inRange(this.#vs.current.levels[l]!).length > 0) deepest = l;
      if (deepest === 0) deepest = 1; // L0 always moves into L1, as in LevelDB
      for (let l = 0; l < deepest; l++) {
        if (this.#bgError !== undefined) throw this.#bgError;
        // L0 files overlap each other: all of them move together, or a newer one could sink below an older.
        const files = l === 0 ? [...this.#vs.current.levels[0]!] : inRange(this.#vs.current.levels[l]!);
        if (files.length === 0) continue;
        await this.#runTask(makeTask(this.#vs.current.levels, l, files, this.#pickerOptions, 'manual'));
      }
    } catch (err) {
      // Sticky and typed like a background compaction's failure (the MANIFEST may hold the edit already).
      this.#setBackgroundError(err);
      throw this.#bgError;
    } finally {
      this.#manualCompactions--;
      this.#maybeScheduleCompaction();
    }
    await this.#settleUnlinks(); // the replaced tables are gone when compactRange() resolves
  }

  /** Writes the memtable to an L0 table; durable when the promise resolves. @throws CLOSED, IO */
  async flush(): Promise<void> {
    this.#checkWritable();
    if (this.#bgError !== undefined) throw this.#bgError;
    // Writes submitted before this call may still be queued or in a group awaiting its WAL sync, with the
    // memtable still empty: they must be flushed too, so rotate whenever the pipeline is busy.
    if (!this.#mem.isEmpty || this.#leaderActive || this.#queue.length > 0) {
      // Rotation happens inside the write pipeline so it is ordered with writes.
      await new Promise<void>((resolve, reject) => {
        this.#queue.push({ rep: Buffer.alloc(0), sync: false, rotate: true, resolve, reject });
        if (!this.#leaderActive) {
          this.#leaderActive = true;
          queueMicrotask(() => void this.#lead());
        }
      });
    }
    while (this.#flushing !== undefined || this.#imms.length > 0) {
      if (this.#bgError !== undefined) throw this.#bgError;
      if (this.#flushing === undefined) this.#scheduleFlush();
      await this.#flushing;
    }
    if (this.#bgError !== undefined) throw this.#bgError;
    await this.#settleUnlinks(); // the flushed memtable's WAL is gone when flush() resolves
  }

  // ------------------------------------------------------------------ reads

  #checkOpen(): void {
    if (this.#closed) throw new DatabaseClosedError();
  }

  #readSeq(opts: ReadOptions | undefined): number {
    checkOptionNames(opts, READ_OPTION_NAMES, 'read');
    const s = opts?.snapshot;
    if (s === undefined) return this.#lastSeq;
    if (!(s instanceof Snapshot)) throw new InvalidArgumentError('snapshot must come from db.snapshot()');
    return s.seq;
  }

  /** The value of `key`, or undefined. Same as get() without a promise. @throws INVALID_ARGUMENT, CLOSED, CORRUPTION, IO */
  getSync(key: KeyLike, opts?: ReadOptions): Buffer | undefined {
    this.#checkOpen();
    const k = toBinaryKey(key);
    const seq = opts === undefined ? this.#lastSeq : this.#readSeq(opts);
    return this.#get(k, seq);
  }

  #get(k: string, seq: number): Buffer | undefined {
    if (this.#inflight !== undefined) this.#countRead(1);
    const out = this.#lookup;
    const c = this.#counters;
    c.gets++;
    const mh = memtableHash(k);
    let r: LookupResult = this.#mem.get(k, seq, out, mh);
    if (r === LookupResult.NotFound) {
      for (let i = this.#imms.length - 1; i >= 0 && r === LookupResult.NotFound; i--) {
        r = this.#imms[i]!.get(k, seq, out, mh);
      }
      if (r === LookupResult.NotFound) {
        out.tablesProbed = 0;
        const v = this.#vs.current;
        r = v.get(k, seq * 256 + Kind.Value, bloomHash(k), out, this.#tables);
        c.tablesProbed += out.tablesProbed;
        if (v.seekCandidateNew) {
          v.seekCandidateNew = false;
          this.#maybeScheduleCompaction();
        }
      }
    }
    if (r !== LookupResult.Found) return undefined;
    const v = out.value;
    out.value = undefined;
    return v;
  }

  /** The value of `key`, or undefined. @throws INVALID_ARGUMENT, CLOSED, CORRUPTION, IO */
  get(key: KeyLike, opts?: ReadOptions): Promise<Buffer | undefined> {
    try {
      return this.#turns.settle(this.getSync(key, opts));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Values of several keys, read at one sequence number. */
  getMany(keys: KeyLike[], opts?: ReadOptions): Promise<(Buffer | undefined)[]> {
    try {
      this.#checkOpen();
      if (!Array.isArray(keys)) throw new InvalidArgumentError('keys must be an array');
      const bin = keys.map((k) => toBinaryKey(k));
      const seq = this.#readSeq(opts);
      return this.#turns.settle(bin.map((k) => this.#get(k, seq)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #sources(seq: number): { sources: SourceCursor[]; release: () => void } {
    if (this.#inflight !== undefined) this.#countRead(16);
    const sources: SourceCursor[] = [new MemtableCursor(this.#mem, seq)];
    for (let i = this.#imms.length - 1; i >= 0; i--) sources.push(new MemtableCursor(this.#imms[i]!, seq));
    const v = this.#vs.current;
    v.ref();
    try {
      v.addCursors(seq, sources, this.#tables);
    } catch (err) {
      for (const s of sources) s.close();
      v.unref();
      throw err;
    }
    this.#openCursors++;
    let released = false;
    return {
      sources,
      release: () => {
        if (released) return;
        released = true;
        this.#openCursors--;
        v.unref();
      },
    };
  }

  #makeCursor(opts: CursorOptions | undefined, names: Set<string>, what: string): DBCursor {
    this.#checkOpen();
    checkOptionNames(opts, names, what);
    const o = opts ?? {};
    if (o.reverse !== undefined && typeof o.reverse !== 'boolean')
      throw new InvalidArgumentError('reverse must be a boolean');
    const bounds = resolveBounds(o);
    const seq = this.#readSeq(o.snapshot === undefined ? undefined : { snapshot: o.snapshot });
    const { sources, release } = this.#sources(seq);
    const isClosed = (): boolean => this.#closed;
    return new DBCursor(sources, bounds, o.reverse === true, {
      get closed() {
        return isClosed();
      },
      release,
    });
  }

  /** A positioned cursor over a stable view (unpositioned until a seek). @throws INVALID_ARGUMENT, CLOSED */
  cursor(opts?: CursorOptions): DBCursor {
    return this.#makeCursor(opts, CURSOR_OPTION_NAMES, 'cursor');
  }

  /** An iterator over a stable view; sync and async iterable. @throws INVALID_ARGUMENT, CLOSED */
  iterator(opts?: DBIteratorOptions): DBIterator {
    checkOptionNames(opts, ITER_OPTION_NAMES, 'iterator');
    const o = opts ?? {};
    let limit = Infinity;
    if (o.limit !== undefined && o.limit !== null) {
      if (typeof o.limit !== 'number' || Number.isNaN(o.limit))
        throw new InvalidArgumentError('limit must be a number');
      limit = o.limit < 0 ? Infinity : o.limit;
    }
    for (const f of ['keys', 'values'] as const) {
      if (o[f] !== undefined && typeof o[f] !== 'boolean')
        throw new InvalidArgumentError(`${f} must be a boolean`);
    }
    const { limit: _l, keys: _k, values: _v, ...range } = o;
    const c = this.#makeCursor(range, CURSOR_OPTION_NAMES, 'iterator');
    return new DBIterator(c, limit, o.keys !== false, o.values !== false, this.#turns);
  }

  /** A consistent read view at the current sequence number; release() it when done. @throws CLOSED */
  snapshot(): Snapshot {
    this.#checkOpen();
    const s = new Snapshot(this.#lastSeq, (x) => this.#snapshots.delete(x));
    this.#snapshots.add(s);
    return s;
  }

  #oldestSnapshot(): number {
    let min = this.#lastSeq;
    for (const s of this.#snapshots) if (!s.released && s.seq < min) min = s.seq;
    return min;
  }

  // ------------------------------------------------------------------ stats and lifecycle

  /** A JSON-able picture of the engine. @throws CLOSED */
  stats(): DBStats {
    this.#checkOpen();
    const v = this.#vs.current;
    const cache = this.#tables.blockCache;
    return {
      seq: this.#lastSeq,
      memtableBytes: this.#mem.approximateBytes,
      immutableMemtables: this.#imms.length,
      immutableBytes: this.#imms.reduce((a, m) => a + m.approximateBytes, 0),
      snapshots: this.#snapshots.size,
      openCursors: this.#openCursors,
      levels: v.levels.map((files, level) => ({
        level,
        files: files.length,
        bytes: files.reduce((a, f) => a + f.size, 0),
      })),
      counters: {
        ...this.#counters,
        cacheHits: cache?.hits ?? 0,
        cacheMisses: cache?.misses ?? 0,
        cacheBytes: cache?.usedBytes ?? 0,
        cacheBorrowedBytes: cache?.borrowedBytes ?? 0,
        blockReads: this.#tables.counters.blockReads,
        bloomChecks: this.#tables.counters.bloomChecks,
        bloomNegatives: this.#tables.counters.bloomNegatives,
        tableOpens: this.#tables.opens,
        tableHandovers: this.#tables.adopted,
      },
      levelIO: this.#levelIO.map((x, level) => ({ level, ...x })),
      writeAmplification:
        this.#counters.userBytesWritten > 0
          ? this.#counters.bytesWrittenToDisk / this.#counters.userBytesWritten
          : 0,
      readAmplification: this.#counters.gets > 0 ? this.#counters.tablesProbed / this.#counters.gets : 0,
      pendingCompactionBytes: this.#pendingCompactionBytes(),
      spaceAmplification: spaceAmplificationOf(v.levels),
      blockCache: {
        data: { hits: cache?.hits ?? 0, misses: cache?.misses ?? 0 },
        index: { hits: this.#tables.counters.indexLookups, misses: this.#tables.opens },
        filter: { hits: this.#tables.counters.bloomChecks, misses: this.#tables.filterLoads },
      },
      compacting: this.#compacting !== undefined,
      workers: { flush: this.#flushPool?.liveWorkers ?? 0, compaction: this.#pool?.liveWorkers ?? 0 },
      backgroundError: this.#bgError?.message,
    };
  }

  /** Waits for in-flight writes and the flush, then releases every file. A second call is a no-op. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = this.#closeImpl();
    return this.#closing;
  }

  async #closeImpl(): Promise<void> {
    // Calls made from here on get CLOSED; writes already queued complete.
    this.#closed = true;
    while (this.#leaderActive) await new Promise<void>((r) => this.#leaderIdle.push(r));
    while (this.#flushing !== undefined) await this.#flushing.catch(() => undefined);
    while (this.#compacting !== undefined) await this.#compacting.catch(() => undefined);
    await this.#pool?.close();
    this.#pool = undefined;
    await this.#flushPool?.close();
    this.#flushPool = undefined;
    await this.#settleUnlinks();
    await this.#wal?.settle(); // background WAL syncs hold the descriptor
    this.#releaseAll();
  }

  #releaseAll(): void {
    this.#closed = true;
    this.#turns.dispose();
    try {
      this.#wal?.close();
    } catch {
      // closing is best effort
    }
    this.#wal = undefined;
    this.#vs.close();
    this.#tables.close();
    this.#lock?.release();
    this.#lock = undefined;
    this.#tables.blockCache?.close(); // gives borrowed memory back before the pools' caps are lowered
    this.#releaseWriteMemory();
  }

  /** The database directory (absolute). */
  get location(): string {
    return this.#dir;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }
}
