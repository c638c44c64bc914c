// FileSystem for crash and fault tests: wraps a MemoryFileSystem, mirrors its tree in a FaultTree that
// knows what is durable (appends after the file's sync/syncSync; directory-entry changes after syncDir of
// their directory; everything already in the base at construction), and can (1) fail the k-th counted call
// with EIO/ENOSPC, once or from then on, (2) stop after the k-th call (every later call throws ECRASHED, as
// if the process died there), (3) produce the MemoryFileSystem a crash leaves: crash(mode).
// Counted calls: create, openAppend, append, sync, syncSync, rename, unlink, mkdir, syncDir, rmdir, and with
// countReads also openRead, read, readFile, size, list. A failed call has no effect. Deterministic: all
// randomness comes from a seeded Prng. Single-threaded; the async methods finish their work synchronously.
import { buildCrashImage, type CrashMode, type CrashOptions } from './crash-image.js';
import { FaultDir, FaultTree, type FaultInode, type FaultNode } from './fault-tree.js';
import type { FileLockHandle, FileSystem, RandomAccessFile, WritableFile } from './file-system.js';
import { fsError, splitPath } from './fs-error.js';
import { MemFile } from './mem-file.js';
import { inspectMemoryFs, MemoryFileSystem } from './memory-fs.js';
import { Prng } from './prng.js';

export type { CrashMode, CrashOptions } from './crash-image.js';

/** The `code` of every error thrown after the crashAt call. */
export const CRASHED = 'ECRASHED';

/** Operations the fault counter sees. */
export type FsOp =
  | 'create'
  | 'openAppend'
  | 'append'
  | 'sync'
  | 'syncSync'
  | 'rename'
  | 'unlink'
  | 'mkdir'
  | 'syncDir'
  | 'rmdir'
  | 'openRead'
  | 'read'
  | 'readFile'
  | 'size'
  | 'list';

/** One counted call: its 1-based number, operation and path (`from -> to` for rename). */
export interface FsCall {
  readonly n: number;
  readonly op: FsOp;
  readonly path: string;
}

/** Which calls fail or stop the process. Call numbers are 1-based and absolute (see callCount). */
export interface FaultOptions {
  /** Fail only the call with this number. */
  failAt?: number;
  /** Fail every call with this number or higher. */
  failFrom?: number;
  /** The injected error's `code`. @default 'EIO' */
  code?: 'EIO' | 'ENOSPC';
  /** Count (and so fail) reads too: openRead, read, readFile, size, list. @default false */
  countReads?: boolean;
  /** Call `crashAt` completes, then every call throws an Error with code ECRASHED. */
  crashAt?: number;
}

export interface FaultInjectingOptions extends FaultOptions {
  /** Seed of the generator behind crash('tear'). @default 1 */
  seed?: number;
  /** How many recent calls `calls` keeps. @default 10000 */
  logLimit?: number;
}

type Enter = (op: FsOp, path: string, read?: boolean) => void;

class FaultWritableFile implements WritableFile {
  #inner: WritableFile;
  #inode: FaultInode;
  #path: string;
  #enter: Enter;
  constructor(inner: WritableFile, inode: FaultInode, path: string, enter: Enter) {
    this.#inner = inner;
    this.#inode = inode;
    this.#path = path;
    this.#enter = enter;
  }
  get size(): number {
    return this.#inner.size;
  }
  append(data: Uint8Array): void {
    this.#enter('append', this.#path);
    this.#inner.append(data);
  }
  async sync(): Promise<void> {
    this.#enter('sync', this.#path);
    this.#inner.syncSync();
    this.#inode.markSynced();
  }
  syncSync(): void {
    this.#enter('syncSync', this.#path);
    this.#inner.syncSync();
    this.#inode.markSynced();
  }
  close(): void {
    this.#inner.close();
  }
}

class FaultRandomAccessFile implements RandomAccessFile {
  #inner: RandomAccessFile;
  #path: string;
  #enter: Enter;
  constructor(inner: RandomAccessFile, path: string, enter: Enter) {
    this.#inner = inner;
    this.#path = path;
    this.#enter = enter;
  }
  get size(): number {
    return this.#inner.size;
  }
  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.#enter('read', this.#path, true);
    return this.#inner.read(buffer, offset, length, position);
  }
  close(): void {
    this.#inner.close();
  }
}

/** A fault-injecting, crash-simulating FileSystem over a MemoryFileSystem; see the file header. */
export class FaultInjectingFileSystem implements FileSystem {
  #base: MemoryFileSystem;
  #tree = new FaultTree();
  #faults: FaultOptions;
  #count = 0;
  #stopped = false;
  #log: FsCall[] = [];
  #logLimit: number;
  #rng: Prng;
  #enter: Enter = (op, path, read = false) => this.#enterCall(op, path, read);

  /** Wraps `base` (default: empty); everything already in `base` counts as durable. Do not change `base`
   *  directly afterwards. */
  constructor(base: MemoryFileSystem = new MemoryFileSystem(), options: FaultInjectingOptions = {}) {
    this.#base = base;
    const { seed = 1, logLimit = 10_000, ...faults } = options;
    this.#faults = faults;
    this.#logLimit = logLimit;
    this.#rng = new Prng(seed);
    this.#mirror('/', this.#tree.root);
    this.#tree.syncAll();
  }

  /** Counted calls so far. */
  get callCount(): number {
    return this.#count;
  }

  /** The most recent counted calls (at most logLimit), oldest first. */
  get calls(): readonly FsCall[] {
    return this.#log.slice(-this.#logLimit);
  }

  /** True once the crashAt call has happened: every call now throws ECRASHED. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The wrapped file system (the live state; a process crash leaves exactly this). */
  get base(): MemoryFileSystem {
    return this.#base;
  }

  /** Replaces the fault options (call numbers stay absolute: use callCount + k for "k calls from now"). */
  setFaults(faults: FaultOptions): void {
    this.#faults = { ...faults };
  }

  /** Clears every fault and the stopped state; the counter and log keep running. */
  resetFaults(): void {
    this.#faults = {};
    this.#stopped = false;
  }

  /**
   * A NEW MemoryFileSystem holding what a crash now would leave (this one is unchanged and stays usable).
   * 'drop-unsynced': files cut to their durable length, unsynced creates/renames/unlinks/mkdirs undone;
   * 'keep-unsynced': everything as written; 'tear': a seeded choice in between (see CrashOptions).
   */
  crash(mode: CrashMode = 'drop-unsynced', options: CrashOptions = {}): MemoryFileSystem {
    const rng = options.seed !== undefined ? new Prng(options.seed) : new Prng(this.#rng.int(2 ** 32));
    return buildCrashImage(this.#tree, mode, options, rng);
  }

  /** Makes everything written so far durable, as if every file and directory had been synced. */
  syncAll(): void {
    this.#tree.syncAll();
  }

  /** See FileSystem.create. Counted; throws like MemoryFileSystem, or the injected code. */
  create(path: string): WritableFile {
    this.#enter('create', path);
    return this.#writable(path, true, () => this.#base.create(path));
  }

  /** See FileSystem.openAppend (creates a missing file, like node). Counted. */
  openAppend(path: string): WritableFile {
    this.#enter('openAppend', path);
    return this.#writable(path, false, () => this.#base.openAppend(path));
  }

  /** See FileSystem.openRead. Counted with countReads; its reads too. */
  openRead(path: string): RandomAccessFile {
    this.#enter('openRead', path, true);
    return new FaultRandomAccessFile(this.#base.openRead(path), path, this.#enter);
  }

  /** See FileSystem.readFile. Counted with countReads. */
  readFile(path: string): Buffer {
    this.#enter('readFile', path, true);
    return this.#base.readFile(path);
  }

  /** See FileSystem.exists. Never counted or failed (but throws ECRASHED once stopped). */
  exists(path: string): boolean {
    this.#alive();
    return this.#base.exists(path);
  }

  /** See FileSystem.size. Counted with countReads. */
  size(path: string): number {
    this.#enter('size', path, true);
    return this.#base.size(path);
  }

  /** See FileSystem.list. Counted with countReads. */
  list(dir: string): string[] {
    this.#enter('list', dir, true);
    return this.#base.list(dir);
  }

  /** See FileSystem.mkdir: each directory it creates is an entry change in its parent. Counted. */
  mkdir(dir: string): void {
    this.#enter('mkdir', dir);
    const parts = splitPath(dir, 'mkdir');
    this.#base.mkdir(dir);
    let cur = this.#tree.root;
    for (const part of parts) {
      let next = cur.live.get(part);
      if (next === undefined) {
        next = this.#tree.newDir();
        this.#tree.change([[cur, part, next]]);
      }
      if (!(next instanceof FaultDir))
        throw new Error(`granitedb internal error: fault fs mirror lost ${dir}`);
      cur = next;
    }
  }

  /** See FileSystem.rename: one atomic entry change (two if the directories differ). Counted. */
  rename(from: string, to: string): void {
    this.#enter('rename', `${from} -> ${to}`);
    this.#base.rename(from, to);
    const [srcDir, srcName] = this.#tree.parentOf(from);
    const [dstDir, dstName] = this.#tree.parentOf(to);
    const node = srcDir.live.get(srcName);
    if (node === undefined || dstDir.live.get(dstName) === node) return;
    this.#tree.change([
      [srcDir, srcName, undefined],
      [dstDir, dstName, node],
    ]);
  }

  /** See FileSystem.unlink. Counted. */
  unlink(path: string): void {
    this.#enter('unlink', path);
    this.#base.unlink(path);
    this.#remove(path);
  }

  /** See FileSystem.rmdir. Counted. */
  rmdir(dir: string): void {
    this.#enter('rmdir', dir);
    this.#base.rmdir(dir);
    this.#remove(dir);
  }

  /** See FileSystem.syncDir: makes `dir`'s entry changes durable (not its subdirectories'). Counted. */
  async syncDir(dir: string): Promise<void> {
    this.#enter('syncDir', dir);
    await this.#base.syncDir(dir);
    const node = this.#tree.lookup(dir);
    if (node instanceof FaultDir) node.markSynced();
  }

  /** See FileSystem.lock (MemoryFileSystem semantics: ELOCKED while held here). Not counted. */
  lock(path: string): FileLockHandle {
    this.#alive();
    const [held] = this.#track(path, true, () => this.#base.lock(path));
    return {
      release: () => {
        if (this.#stopped) return; // the process is gone: its lock is stale
        held.release();
        if (!this.#base.exists(path) && this.#tree.lookup(path) !== undefined) this.#remove(path);
      },
    };
  }

  /** Runs `open` (which creates or truncates `path` in the base) and mirrors it: a new file is an entry
   *  change in its directory; a truncated one keeps its durable bytes until its next sync. */
  #track<T>(path: string, truncates: boolean, open: () => T): [T, FaultInode] {
    const prior = inspectMemoryFs(this.#base, path);
    const priorInode = prior instanceof MemFile ? this.#tree.inodeOf(prior) : undefined;
    const saved = priorInode?.override ?? null;
    if (truncates) priorInode?.beforeTruncate();
    let result: T;
    try {
      result = open();
    } catch (err) {
      if (priorInode !== undefined) priorInode.override = saved;
      throw err;
    }
    if (priorInode !== undefined) return [result, priorInode];
    const file = inspectMemoryFs(this.#base, path);
    if (!(file instanceof MemFile)) throw new Error(`granitedb internal error: ${path} was not created`);
    const inode = this.#tree.inodeOf(file);
    const [dir, name] = this.#tree.parentOf(path);
    this.#tree.change([[dir, name, inode]]);
    return [result, inode];
  }

  #writable(path: string, truncates: boolean, open: () => WritableFile): WritableFile {
    const [file, inode] = this.#track(path, truncates, open);
    return new FaultWritableFile(file, inode, path, this.#enter);
  }

  #remove(path: string): void {
    const [dir, name] = this.#tree.parentOf(path);
    this.#tree.change([[dir, name, undefined]]);
  }

  #alive(): void {
    if (this.#stopped) {
      throw Object.assign(new Error('ECRASHED: the process stopped at the crashAt call'), { code: CRASHED });
    }
  }

  #enterCall(op: FsOp, path: string, read: boolean): void {
    this.#alive();
    const f = this.#faults;
    if (read && f.countReads !== true) return;
    const n = ++this.#count;
    this.#log.push({ n, op, path });
    if (this.#log.length > 2 * this.#logLimit) this.#log.splice(0, this.#log.length - this.#logLimit);
    const fail = n === f.failAt || (f.failFrom !== undefined && n >= f.failFrom);
    if (n === f.crashAt) this.#stopped = true;
    if (fail) throw fsError(f.code ?? 'EIO', op, path, undefined, `injected at call ${n}`);
  }

  #mirror(path: string, dir: FaultDir): void {
    for (const name of this.#base.list(path)) {
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      const found = inspectMemoryFs(this.#base, child);
      let node: FaultNode;
      if (found === 'dir') {
        node = this.#tree.newDir();
        this.#mirror(child, node);
      } else {
        node = this.#tree.inodeOf(found!);
      }
      dir.live.set(name, node);
    }
  }
}
