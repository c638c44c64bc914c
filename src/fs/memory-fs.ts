// FileSystem in memory: a tree of directories (real entries, name → node) whose leaves are MemFile inodes.
// Invariants: the root "/" always exists; every path resolves against "/" (relative paths too); a node has
// exactly one parent entry; errors are node:fs-shaped (code ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ...).
// Handles hold the inode, not the path, so rename and unlink behave as on POSIX. Nothing here is ever
// "unsynced": for durability and crashes wrap it in FaultInjectingFileSystem. Single-threaded; the async
// methods complete synchronously and only report through their promise.
import { fsError, normalizePath, splitPath } from './fs-error.js';
import type { FileLockHandle, FileSystem, RandomAccessFile, WritableFile } from './file-system.js';
import { MemFile } from './mem-file.js';

class MemDir {
  readonly entries = new Map<string, MemNode>();
}
type MemNode = MemDir | MemFile;

class MemWritableFile implements WritableFile {
  #file: MemFile | null;
  constructor(file: MemFile) {
    this.#file = file;
  }
  get size(): number {
    return this.#file?.length ?? 0;
  }
  append(data: Uint8Array): void {
    this.#open('write').append(data);
  }
  async sync(): Promise<void> {
    this.#open('fdatasync');
  }
  syncSync(): void {
    this.#open('fdatasync');
  }
  close(): void {
    this.#file = null;
  }
  #open(syscall: string): MemFile {
    if (this.#file === null) throw fsError('EBADF', syscall, '');
    return this.#file;
  }
}

class MemRandomAccessFile implements RandomAccessFile {
  #file: MemFile | null;
  readonly size: number;
  constructor(file: MemFile) {
    this.#file = file;
    this.size = file.length;
  }
  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (this.#file === null) throw fsError('EBADF', 'read', '');
    return this.#file.read(buffer, offset, length, position);
  }
  close(): void {
    this.#file = null;
  }
}

/** The node at `path`, or undefined; for FaultInjectingFileSystem only (not exported from the fs index). */
export let inspectMemoryFs: (fs: MemoryFileSystem, path: string) => MemFile | 'dir' | undefined;

/** An in-memory FileSystem; see the file header. Also the state `FaultInjectingFileSystem.crash()` returns. */
export class MemoryFileSystem implements FileSystem {
  #root = new MemDir();
  #locks = new Set<string>();

  static {
    inspectMemoryFs = (fs, path) => {
      const node = path.length === 0 ? undefined : fs.#find(path);
      return node instanceof MemDir ? 'dir' : node;
    };
  }

  /** Creates (or truncates) `path`. Throws ENOENT/ENOTDIR (parent), EISDIR. */
  create(path: string): WritableFile {
    const [dir, name] = this.#parent(path, 'open');
    const node = name === '' ? dir : dir.entries.get(name);
    if (node instanceof MemDir) throw fsError('EISDIR', 'open', path);
    if (node !== undefined) {
      node.truncate(0);
      return new MemWritableFile(node);
    }
    const file = new MemFile();
    dir.entries.set(name, file);
    return new MemWritableFile(file);
  }

  /** Opens `path` for appending at its end, creating it if missing (like node's 'a' flag). */
  openAppend(path: string): WritableFile {
    const [dir, name] = this.#parent(path, 'open');
    const node = name === '' ? dir : dir.entries.get(name);
    if (node instanceof MemDir) throw fsError('EISDIR', 'open', path);
    if (node !== undefined) return new MemWritableFile(node);
    const file = new MemFile();
    dir.entries.set(name, file);
    return new MemWritableFile(file);
  }

  /** Opens `path` for positional reads. Throws ENOENT, ENOTDIR, EISDIR. */
  openRead(path: string): RandomAccessFile {
    return new MemRandomAccessFile(this.#file(path, 'open'));
  }

  /** A copy of the whole file. Throws ENOENT, ENOTDIR, EISDIR. */
  readFile(path: string): Buffer {
    return this.#file(path, 'open').copy();
  }

  /** True if a file or directory exists at `path`; never throws. */
  exists(path: string): boolean {
    return path.length > 0 && this.#find(path) !== undefined;
  }

  /** Length in bytes (0 for a directory). Throws ENOENT, ENOTDIR. */
  size(path: string): number {
    const node = this.#node(path, 'stat');
    return node instanceof MemFile ? node.length : 0;
  }

  /** Entry names of `dir`, sorted by code unit. Throws ENOENT, ENOTDIR. */
  list(dir: string): string[] {
    const node = this.#node(dir, 'scandir');
    if (!(node instanceof MemDir)) throw fsError('ENOTDIR', 'scandir', dir);
    return [...node.entries.keys()].sort();
  }

  /** Creates `dir` and missing parents. Throws EEXIST if `dir` is a file, ENOTDIR if a parent is. */
  mkdir(dir: string): void {
    const parts = splitPath(dir, 'mkdir');
    let cur = this.#root;
    parts.forEach((part, i) => {
      let next = cur.entries.get(part);
      if (next === undefined) {
        next = new MemDir();
        cur.entries.set(part, next);
      } else if (next instanceof MemFile) {
        throw fsError(i === parts.length - 1 ? 'EEXIST' : 'ENOTDIR', 'mkdir', dir);
      }
      cur = next;
    });
  }

  /** Atomically replaces `to` with `from` (files or directories). Throws ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL. */
  rename(from: string, to: string): void {
    const fail = (code: string): Error => fsError(code, 'rename', from, to);
    const [srcDir, srcName] = this.#parent(from, 'rename', to);
    const node = srcDir.entries.get(srcName);
    if (srcName === '') throw fail('EBUSY');
    if (node === undefined) throw fail('ENOENT');
    const [dstDir, dstName] = this.#parent(to, 'rename', to);
    if (dstName === '') throw fail('EBUSY');
    const target = dstDir.entries.get(dstName);
    if (target === node) return;
    if (node instanceof MemDir) {
      const a = normalizePath(from);
      if (normalizePath(to).startsWith(a + '/')) throw fail('EINVAL');
      if (target instanceof MemFile) throw fail('ENOTDIR');
      if (target instanceof MemDir && target.entries.size > 0) throw fail('ENOTEMPTY');
    } else if (target instanceof MemDir) {
      throw fail('EISDIR');
    }
    srcDir.entries.delete(srcName);
    dstDir.entries.set(dstName, node);
  }

  /** Removes the file `path`. Throws ENOENT, ENOTDIR, EISDIR. */
  unlink(path: string): void {
    const [dir, name] = this.#parent(path, 'unlink');
    const node = name === '' ? dir : dir.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', 'unlink', path);
    if (node instanceof MemDir) throw fsError('EISDIR', 'unlink', path);
    dir.entries.delete(name);
  }

  /** Removes the empty directory `dir`. Throws ENOENT, ENOTDIR, ENOTEMPTY, EBUSY (the root). */
  rmdir(dir: string): void {
    if (splitPath(dir, 'rmdir').length === 0) throw fsError('EBUSY', 'rmdir', dir);
    const [parent, name] = this.#parent(dir, 'rmdir');
    const node = parent.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', 'rmdir', dir);
    if (!(node instanceof MemDir)) throw fsError('ENOTDIR', 'rmdir', dir);
    if (node.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', dir);
    parent.entries.delete(name);
  }

  /** Nothing to make durable in memory; rejects with ENOENT if `dir` is missing. */
  async syncDir(dir: string): Promise<void> {
    this.#node(dir, 'open');
  }

  /**
   * Takes the lock file at `path` (writing "pid\n" into it, as NodeFileSystem does). Throws an Error with
   * code 'ELOCKED' while this file system already holds it; a LOCK file not held here (e.g. left in a
   * crash() image) is stale and taken over. Release deletes the file.
   */
  lock(path: string): FileLockHandle {
    const key = normalizePath(path);
    if (this.#locks.has(key)) {
      throw Object.assign(new Error(`lock ${path} is held by this process`), { code: 'ELOCKED' });
    }
    const file = this.create(path);
    file.append(Buffer.from(`${process.pid}\n`));
    file.close();
    this.#locks.add(key);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#locks.delete(key);
        if (this.#find(path) instanceof MemFile) this.unlink(path);
      },
    };
  }

  #find(path: string): MemNode | undefined {
    let cur: MemNode = this.#root;
    for (const part of splitPath(path, 'stat')) {
      if (!(cur instanceof MemDir)) return undefined;
      const next: MemNode | undefined = cur.entries.get(part);
      if (next === undefined) return undefined;
      cur = next;
    }
    return cur;
  }

  #node(path: string, syscall: string): MemNode {
    const [dir, name] = this.#parent(path, syscall);
    const node = name === '' ? dir : dir.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', syscall, path);
    return node;
  }

  #file(path: string, syscall: string): MemFile {
    const node = this.#node(path, syscall);
    if (node instanceof MemDir) throw fsError('EISDIR', syscall, path);
    return node;
  }

  /** The directory holding `path` and the last component ('' for the root itself). */
  #parent(path: string, syscall: string, dest?: string): [MemDir, string] {
    const parts = splitPath(path, syscall);
    let cur = this.#root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = cur.entries.get(parts[i]!);
      if (next === undefined) throw fsError('ENOENT', syscall, path, dest);
      if (!(next instanceof MemDir)) throw fsError('ENOTDIR', syscall, path, dest);
      cur = next;
    }
    return [cur, parts[parts.length - 1] ?? ''];
  }
}
