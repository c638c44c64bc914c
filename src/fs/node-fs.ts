// FileSystem on node:fs. Appends and reads are synchronous system calls (a page-cache hit costs a few
// microseconds, far less than a promise hop); fsyncs go to libuv's thread pool so writers can group behind one.
//
// Locking: Node has no flock(). The LOCK file holds "pid\n" and is created with O_EXCL; a holder that no
// longer runs (kill(pid, 0) fails with ESRCH) is taken over by renaming its file away first, so two takers
// cannot both win. Locks taken by this process are also kept in a Set, so a second open from the same process
// fails too. See docs/adr/0004-lock-file.md.
import * as fs from 'node:fs';
import type { FileLockHandle, FileSystem, RandomAccessFile, WritableFile } from './file-system.js';

class NodeWritableFile implements WritableFile {
  #fd: number;
  #size: number;
  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.#size = size;
  }
  get size(): number {
    return this.#size;
  }
  append(data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(this.#fd, data, done, data.length - done);
    }
    this.#size += data.length;
  }
  sync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.#fd, (err) => (err ? reject(err) : resolve())));
  }
  syncSync(): void {
    fs.fdatasyncSync(this.#fd);
  }
  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      fs.closeSync(fd);
    }
  }
}

class NodeRandomAccessFile implements RandomAccessFile {
  #fd: number;
  readonly size: number;
  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
  }
  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.#fd, buffer, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      fs.closeSync(fd);
    }
  }
}

const heldLocks = new Set<string>();

function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ELOCKED' });
}

export class NodeFileSystem implements FileSystem {
  create(path: string): WritableFile {
    return new NodeWritableFile(fs.openSync(path, 'w'), 0);
  }
  openAppend(path: string): WritableFile {
    const fd = fs.openSync(path, 'a');
    return new NodeWritableFile(fd, fs.fstatSync(fd).size);
  }
  openRead(path: string): RandomAccessFile {
    const fd = fs.openSync(path, 'r');
    return new NodeRandomAccessFile(fd, fs.fstatSync(fd).size);
  }
  readFile(path: string): Buffer {
    return fs.readFileSync(path);
  }
  exists(path: string): boolean {
    return fs.existsSync(path);
  }
  size(path: string): number {
    return fs.statSync(path).size;
  }
  list(dir: string): string[] {
    return fs.readdirSync(dir);
  }
  mkdir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
  }
  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }
  unlink(path: string): void {
    fs.unlinkSync(path);
  }
  rmdir(dir: string): void {
    fs.rmdirSync(dir);
  }
  syncDir(dir: string): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.open(dir, 'r', (err, fd) => {
        if (err) return reject(err);
        fs.fsync(fd, (err2) => {
          fs.close(fd, () => (err2 ? reject(err2) : resolve()));
        });
      });
    });
  }
  lock(path: string): FileLockHandle {
    const key = fs.realpathSync.native(pathDir(path)) + '/' + pathBase(path);
    if (heldLocks.has(key)) throw lockedError(`lock ${path} is held by this process`);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(path, 'wx');
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        heldLocks.add(key);
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            heldLocks.delete(key);
            try {
              if (fs.readFileSync(path, 'utf8').trim() === String(process.pid)) fs.unlinkSync(path);
            } catch {
              // already gone: nothing to release
            }
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder = NaN;
      try {
        holder = Number.parseInt(fs.readFileSync(path, 'utf8').trim(), 10);
      } catch {
        continue; // vanished between open and read: try again
      }
      if (processIsAlive(holder) && holder !== process.pid) {
        throw lockedError(`lock ${path} is held by process ${holder}`);
      }
      if (holder === process.pid) {
        // Left by an earlier open in this process that was never closed cleanly (not in heldLocks).
      }
      // Stale: move it aside atomically so that only one taker proceeds, then retry the exclusive create.
      const aside = `${path}.stale.${process.pid}`;
      try {
        fs.renameSync(path, aside);
        fs.unlinkSync(aside);
      } catch {
        // someone else moved it first
      }
    }
    throw lockedError(`could not take lock ${path}`);
  }
}

function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}
function pathBase(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
