// The public surface of granitedb (API.md). Nothing else is part of the contract.
export { GraniteDB } from './db/db.js';
export type { WriteOptions, ReadOptions, CursorOptions, DBIteratorOptions } from './db/db.js';
export { WriteBatch } from './batch/write-batch.js';
export { Snapshot } from './db/snapshot.js';
export { DBCursor as Cursor, DBIterator as Iterator } from './db/db-cursor.js';
export type { Entry } from './db/db-cursor.js';
export type { DBStats, DBCounters } from './db/stats.js';
export type {
  Options,
  Logger,
  WalRecoveryMode,
  CompactionStyle,
  CompressionName,
} from './options/options.js';
export { DEFAULTS } from './options/options.js';
export type { KeyLike } from './keys/user-key.js';
export {
  GraniteError,
  CorruptionError,
  LockedError,
  DatabaseClosedError,
  InvalidArgumentError,
  ConflictError,
  ReadOnlyError,
  NotFoundError,
  AlreadyExistsError,
  IOError,
  ErrorCode,
} from './errors/errors.js';
export type { FileSystem, WritableFile, RandomAccessFile } from './fs/file-system.js';
