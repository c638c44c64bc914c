// FileSystem on node:fs. Appends and reads are synchronous system calls (a page-cache hit costs a few
// microseconds, far less than a promise hop); fsyncs go to libuv's thread pool so writers can group behind one.
//
// Locking: Node has no flock(). The LOCK file holds the holder's identity ("pid starttime bootid" on Linux) and
// is created with O_EXCL. A holder that no longer runs is taken over: its file is renamed aside, checked to be
// the stale one, and removed. Every thread of a live holder matches its identity, so a second open from any
// thread of the same process fails too; a reused pid does not match. See docs/adr/0004-lock-file.md.
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

/**
 * Identity of a running process that survives pid reuse: "pid starttime bootid" on Linux (start time in clock
 * ticks since boot, from /proc/PID/stat), "pid" elsewhere. Every thread of a process has the same identity.
 */
function processIdentity(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${pid} ${fields[19]} ${bootId()}`;
  } catch {
    if (process.platform === 'linux') return undefined; // no such process
    try {
      process.kill(pid, 0);
      return String(pid);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? String(pid) : undefined;
    }
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    } catch {
      cachedBootId = '-';
    }
  }
  return cachedBootId;
}

/** True when the identity written in a LOCK file belongs to a process that still runs. */
function holderIsAlive(recorded: string): boolean {
  const pid = Number.parseInt(recorded, 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const now = processIdentity(pid);
  if (now === undefined) return false;
  // Old-format or foreign lock files hold only a pid: trust the pid.
  return recorded.includes(' ') ? now === recorded : true;
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
  unlinkAsync(path: string): Promise<void> {
    return fs.promises.unlink(path);
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
    const me = processIdentity(process.pid) ?? String(process.pid);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(path, 'wx');
        fs.writeSync(fd, `${me}\n`);
        fs.closeSync(fd);
        heldLocks.add(key);
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            heldLocks.delete(key);
            try {
              if (fs.readFileSync(path, 'latin1').trim() === me) fs.unlinkSync(path);
            } catch {
              // already gone: nothing to release
            }
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: string;
      try {
        holder = fs.readFileSync(path, 'latin1').trim();
      } catch {
        continue; // vanished between open and read: try again
      }
      // Held by a live process — another one, or this one (another thread, or an open never closed).
      if (holderIsAlive(holder)) throw lockedError(`lock ${path} is held by process ${holder.split(' ')[0]}`);
      // Stale: move it aside atomically, then check that what moved is the stale lock we saw. If another
      // opener replaced it in between, put theirs back and report the lock as held.
      const aside = `${path}.stale.${process.pid}.${attempt}`;
      try {
        fs.renameSync(path, aside);
      } catch {
        continue; // someone else moved it first
      }
      let moved = '';
      try {
        moved = fs.readFileSync(aside, 'latin1').trim();
      } catch {
        // unreadable: treat as stale
      }
      if (moved !== holder && holderIsAlive(moved)) {
        try {
          fs.linkSync(aside, path);
        } catch {
          // a third opener holds it now; theirs stands
        }
        fs.unlinkSync(aside);
        throw lockedError(`lock ${path} is held by process ${moved.split(' ')[0]}`);
      }
      fs.unlinkSync(aside);
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
