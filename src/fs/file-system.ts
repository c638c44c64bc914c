// The one interface behind which every file-system call of the engine happens (DESIGN.md, layer io).
// Hot paths (WAL append, table reads) are synchronous system calls; only fsyncs are asynchronous, so that
// concurrent writers can queue behind one fsync (group commit) while the event loop keeps running.
//
// Durability model (what the fault-injecting implementation simulates): data appended to a file is durable
// only after `sync()` on that file; a file's directory entry (create, rename, unlink) is durable only after
// `syncDir()` on its directory. A crash may drop anything not yet durable.
//
// Every method throws (or rejects with) the underlying system error; callers wrap it with toIOError().

/** A file opened for appending. Created empty (truncating any previous file) by FileSystem.create(). */
export interface WritableFile {
  /** Appends all of `data` (REQUIRES: not closed). Returns when the OS has the bytes (a process crash keeps them);
   *  keeps no reference to `data`, which the caller may overwrite at once (a table builder reuses its buffer). */
  append(data: Uint8Array): void;
  /** Makes every appended byte durable (fdatasync). */
  sync(): Promise<void>;
  /** Synchronous form of sync(), for paths that cannot await. */
  syncSync(): void;
  /** Bytes appended so far (the file's length). */
  readonly size: number;
  close(): void;
}

/** A file opened for positional reads. */
export interface RandomAccessFile {
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns the count read (short at EOF). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** The file's length when it was opened. */
  readonly size: number;
  close(): void;
}

export interface FileLockHandle {
  release(): void;
}

export interface FileSystem {
  /** Creates (or truncates) `path` and opens it for appending. */
  create(path: string): WritableFile;
  /** Opens an existing file for appending at its end (used by tests and tools; the engine never reopens for append). */
  openAppend(path: string): WritableFile;
  openRead(path: string): RandomAccessFile;
  /** Whole-file read (small files: CURRENT, MANIFEST, WAL replay). */
  readFile(path: string): Buffer;
  exists(path: string): boolean;
  /** Length in bytes; throws ENOENT when missing. */
  size(path: string): number;
  /** Names (not paths) of the entries in `dir`. */
  list(dir: string): string[];
  /** Creates `dir` and missing parents; no error if it exists. */
  mkdir(dir: string): void;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /**
   * Optional: unlink() off the calling thread. Removing a large file takes the kernel milliseconds (freeing
   * its blocks), which the engine's obsolete-file sweep must not spend on the event loop. Engines fall back to
   * unlink() when a file system lacks it.
   */
  unlinkAsync?(path: string): Promise<void>;
  /** Removes `dir` if it is empty. */
  rmdir(dir: string): void;
  /** Makes the directory's entries (creates, renames, unlinks) durable. */
  syncDir(dir: string): Promise<void>;
  /**
   * Takes the database lock file at `path`: throws an Error with code 'ELOCKED' if another live process (or
   * this one) holds it. A lock left behind by a process that no longer runs is taken over.
   */
  lock(path: string): FileLockHandle;
}
