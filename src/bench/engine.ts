// The one interface every benchmarked engine implements (granitedb here, the peers in bench/adapters/).
// Adapters use each engine's fastest idiomatic API with default tuning; they never emulate a missing
// capability (no sync get → `getSync` is absent and the sync workloads are skipped or run async).
// Inputs (keys, values, the arrays holding them) may be reused by the harness as soon as a call's
// promise settles; results are only counted and sized, never retained.

export type Bytes = Uint8Array;

export interface ScanTotals {
  entries: number;
  /** Key plus value bytes yielded. */
  bytes: number;
}

export interface TreeLevel {
  level: number;
  files: number;
  bytes: number;
}

/** What an LSM engine tells about itself; the sustained-write scenario reads it. */
export interface EngineStats {
  /** Files and bytes per level, from the engine. */
  levels: TreeLevel[];
  /** Bytes the engine wrote to files since open, and whether that count includes its WAL. */
  bytesWritten: { bytes: number; includesWal: boolean };
  /** Write stalls as the engine counts them; absent where it does not. */
  stalls?: { count: number; millis: number; detail: string };
  /** True while a flush or compaction runs; absent where the engine cannot tell. */
  compacting?: boolean;
}

export interface BenchEngine {
  readonly name: string;
  /** Version of the package under test, as installed. */
  readonly version: string;
  /** How the adapter maps the workloads onto this engine's API, for the report. */
  readonly notes: readonly string[];

  /** Atomically write `keys[i] → values[i]` for every i, unsynced. */
  writeBatch(keys: readonly Bytes[], values: readonly Bytes[]): Promise<void>;
  /** One put; `sync: true` asks for durability before the promise resolves. */
  put(key: Bytes, value: Bytes, sync: boolean): Promise<void>;
  get(key: Bytes): Promise<Bytes | undefined>;
  /** Present only where the engine has a synchronous point read. */
  getSync?(key: Bytes): Bytes | undefined;
  /** Open an iterator at the first key ≥ `key`, read up to `limit` entries, close it. */
  seek(key: Bytes, limit: number): Promise<number>;
  /** Present only where the engine iterates synchronously. */
  seekSync?(key: Bytes, limit: number): number;
  /** One full forward scan of the database. */
  scan(): Promise<ScanTotals>;
  /** Present for LSM engines that expose their shape and counters. */
  stats?(): EngineStats;
  /** Resolves when no flush or compaction is running or due; `idleMethod` says how that is known. */
  waitForCompaction?(): Promise<void>;
  readonly idleMethod?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * The database will see writes with `sync: true`. Engines that fix durability per environment
   * rather than per write (lmdb) open durable only then, and reject synced writes otherwise.
   */
  syncWrites: boolean;
}

export type EngineOpener = (dir: string, options: OpenOptions) => Promise<BenchEngine>;
