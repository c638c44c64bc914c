// Every option of GraniteDB.open, its default and its validation, in one place (README "Tuning" mirrors it).
// resolveOptions() rejects unknown names and wrong types or ranges with INVALID_ARGUMENT before anything
// touches the disk.
import { InvalidArgumentError } from '../errors/errors.js';
import type { FileSystem } from '../fs/file-system.js';

export type WalRecoveryMode =
  'tolerate-corrupted-tail' | 'absolute-consistency' | 'point-in-time' | 'skip-any-corrupted';
export type CompressionName = 'none' | 'snappy' | 'lz4';
export type CompactionStyle = 'leveled' | 'tiered';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export interface Options {
  /** Create the database if the directory holds none. @default true */
  createIfMissing: boolean;
  /** Fail with ALREADY_EXISTS if a database exists. @default false */
  errorIfExists: boolean;
  /** Open without writing anything (no lock, no new files); writes throw READ_ONLY. @default false */
  readOnly: boolean;
  /** Bytes a memtable holds before it is frozen and flushed to an L0 table. @default 16 MiB */
  memtableSize: number;
  /** WAL bytes after which an append starts a background fdatasync, so that a WAL rotation (or a `sync: true`
   *  write) waits only for the bytes since the last one; 0 syncs a WAL only when it rotates or a write asks.
   *  Durability is unchanged either way. @default 1 MiB */
  walBytesPerSync: number;
  /** Frozen memtables waiting for flush before writers wait. @default 2 */
  maxImmutableMemtables: number;
  /** Target uncompressed size of a table data block, in bytes. Changes new tables only. @default 4096 */
  blockSize: number;
  /** Keys between restart points in a block (prefix compression resets there). @default 16 */
  restartInterval: number;
  /** Bloom filter bits per key; 0 disables filters (~1% false positives at 10). @default 10 */
  bloomBitsPerKey: number;
  /** Block compression codec for new tables' data blocks ('snappy', 'lz4': native napi-rs packages). @default 'none' */
  compression: CompressionName;
  /** Block cache capacity in bytes (data blocks, one arena allocated on first use; at most 2 GiB). The cache also
   *  borrows the memtable pools' idle memory while no memtable needs it (ADR 0019), the thread's idle scratch
   *  buffers, and 16 MiB per background worker while none is alive (ADR 0022). Pages are touched only as
   *  blocks are cached, so a small database does not pay for the capacity (ADR 0024). @default 48 MiB */
  blockCacheSize: number;
  /** Open tables kept (file handle, index and filter). @default 1000 */
  tableCacheSize: number;
  /** 'leveled' or 'tiered' (size-tiered). Used once compaction lands. @default 'leveled' */
  compactionStyle: CompactionStyle;
  /** L0 file count that triggers compaction. @default 4 */
  level0CompactionTrigger: number;
  /** L0 file count at which writes are slowed. @default 20 */
  level0SlowdownTrigger: number;
  /** L0 file count at which writes wait. @default 36 */
  level0StopTrigger: number;
  /** Target table size in bytes for compaction outputs. @default 64 MiB */
  targetFileSize: number;
  /** Target size of L1 in bytes. @default 256 MiB */
  maxBytesForLevelBase: number;
  /** Size ratio between adjacent levels. @default 10 */
  levelMultiplier: number;
  /** Estimated bytes compaction owes (stats().pendingCompactionBytes) at which each write group is delayed
   *  1 ms. @default 64 GiB */
  softPendingCompactionBytesLimit: number;
  /** Estimated bytes compaction owes at which writers wait for compaction. @default 256 GiB */
  hardPendingCompactionBytesLimit: number;
  /** Bytes per second compactions may write (one compaction runs at a time); 0 = unlimited. Flushes are
   *  never limited. @default 0 */
  compactionRateLimit: number;
  /** Compaction worker threads. 0 runs compactions and flushes on the main thread. @default 1 */
  backgroundThreads: number;
  /** Niceness added to the worker threads (compaction, and flushes with flushInWorker) on Linux, so that the
   *  main thread, which serves reads, wins the CPU when both want it (ADR 0015). 0 leaves them at the
   *  process's priority; the result is capped at 19. @default 10 */
  backgroundNice: number;
  /** Leveled style: compact a table that point reads keep probing without finding their key (LevelDB's seek
   *  compaction; design.md section 14). @default true */
  seekCompaction: boolean;
  /** Flushes run in a thread of their own, reading the memtable in shared memory (ADR 0010, ADR 0016), instead
   *  of in slices on the main thread. Needs backgroundThreads > 0. @default true */
  flushInWorker: boolean;
  /** Default for the `sync` write option. @default false */
  syncWrites: boolean;
  /** Verify every table's blocks when the database opens. @default false */
  paranoidChecks: boolean;
  /** What WAL damage does on open (see README). @default 'tolerate-corrupted-tail' */
  walRecoveryMode: WalRecoveryMode;
  /** Receives info lines (recovery: dropped WAL tails) and warnings (background errors). No LOG file is written
   *  yet; the name is reserved. @default undefined */
  logger: Logger | undefined;
  /** The file system (tests inject a fault-injecting one). @default NodeFileSystem */
  fileSystem: FileSystem | undefined;
}

const MiB = 1024 * 1024;

export const DEFAULTS: Readonly<Options> = Object.freeze({
  createIfMissing: true,
  errorIfExists: false,
  readOnly: false,
  memtableSize: 16 * MiB,
  walBytesPerSync: 1 * MiB,
  maxImmutableMemtables: 2,
  blockSize: 4096,
  restartInterval: 16,
  bloomBitsPerKey: 10,
  compression: 'none',
  blockCacheSize: 48 * MiB,
  tableCacheSize: 1000,
  compactionStyle: 'leveled',
  level0CompactionTrigger: 4,
  level0SlowdownTrigger: 20,
  level0StopTrigger: 36,
  targetFileSize: 64 * MiB,
  maxBytesForLevelBase: 256 * MiB,
  levelMultiplier: 10,
  softPendingCompactionBytesLimit: 64 * 1024 * MiB,
  hardPendingCompactionBytesLimit: 256 * 1024 * MiB,
  compactionRateLimit: 0,
  backgroundThreads: 1,
  backgroundNice: 10,
  seekCompaction: true,
  // Since the worker reads the memtable in place (ADR 0016) it wins on 2 CPUs too (ADR 0010's amendment had
  // turned it off there when it copied and rebuilt the memtable).
  flushInWorker: true,
  syncWrites: false,
  paranoidChecks: false,
  walRecoveryMode: 'tolerate-corrupted-tail',
  logger: undefined,
  fileSystem: undefined,
} satisfies Options);

type Check = (v: unknown) => string | undefined;
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `an integer in [${min}, ${max}]`;
const oneOf =
  (...xs: string[]): Check =>
  (v) =>
    typeof v === 'string' && xs.includes(v) ? undefined : `one of ${xs.map((x) => `'${x}'`).join(', ')}`;
const object: Check = (v) =>
  v === undefined || (typeof v === 'object' && v !== null) ? undefined : 'an object';

const CHECKS: { [K in keyof Options]: Check } = {
  createIfMissing: bool,
  errorIfExists: bool,
  readOnly: bool,
  memtableSize: int(4096, 4 * 1024 * MiB),
  walBytesPerSync: int(0, 4 * 1024 * MiB),
  maxImmutableMemtables: int(1, 64),
  blockSize: int(64, 16 * MiB),
  restartInterval: int(1, 1024),
  bloomBitsPerKey: int(0, 64),
  compression: oneOf('none', 'snappy', 'lz4'),
  blockCacheSize: int(0, 2 * 1024 * MiB),
  tableCacheSize: int(8, 1_000_000),
  compactionStyle: oneOf('leveled', 'tiered'),
  level0CompactionTrigger: int(1, 1000),
  level0SlowdownTrigger: int(1, 10000),
  level0StopTrigger: int(1, 10000),
  targetFileSize: int(1024, 16 * 1024 * MiB),
  maxBytesForLevelBase: int(1024, Number.MAX_SAFE_INTEGER),
  levelMultiplier: int(2, 1000),
  softPendingCompactionBytesLimit: int(1024, Number.MAX_SAFE_INTEGER),
  hardPendingCompactionBytesLimit: int(1024, Number.MAX_SAFE_INTEGER),
  compactionRateLimit: int(0, Number.MAX_SAFE_INTEGER),
  backgroundThreads: int(0, 64),
  backgroundNice: int(0, 19),
  seekCompaction: bool,
  flushInWorker: bool,
  syncWrites: bool,
  paranoidChecks: bool,
  walRecoveryMode: oneOf(
    'tolerate-corrupted-tail',
    'absolute-consistency',
    'point-in-time',
    'skip-any-corrupted',
  ),
  logger: object,
  fileSystem: object,
};

/** Fills defaults and validates; throws InvalidArgumentError naming the first bad option. */
export function resolveOptions(user: unknown): Options {
  if (user === undefined || user === null) return { ...DEFAULTS };
  if (typeof user !== 'object' || Array.isArray(user))
    throw new InvalidArgumentError('options must be an object');
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [name, value] of Object.entries(user)) {
    if (!Object.hasOwn(CHECKS, name)) throw new InvalidArgumentError(`unknown option '${name}'`);
    if (value === undefined) continue;
    const problem = CHECKS[name as keyof Options](value);
    if (problem !== undefined) throw new InvalidArgumentError(`option '${name}' must be ${problem}`);
    out[name] = value;
  }
  const o = out as unknown as Options;
  if (o.level0SlowdownTrigger < o.level0CompactionTrigger || o.level0StopTrigger < o.level0SlowdownTrigger) {
    throw new InvalidArgumentError(
      'options must satisfy level0CompactionTrigger <= level0SlowdownTrigger <= level0StopTrigger',
    );
  }
  if (o.hardPendingCompactionBytesLimit < o.softPendingCompactionBytesLimit) {
    throw new InvalidArgumentError(
      'options must satisfy softPendingCompactionBytesLimit <= hardPendingCompactionBytesLimit',
    );
  }
  return o;
}
