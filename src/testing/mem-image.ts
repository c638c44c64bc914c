// Copies of MemoryFileSystem trees: a test builds one image and opens many independent copies of it.
import { join } from 'node:path';
import { MemoryFileSystem } from '../fs/memory-fs.js';
import type { FileSystem } from '../fs/file-system.js';

/** A new MemoryFileSystem holding a copy of `dir` (and its subdirectories) from `src` at the same path. */
export function copyMemoryFs(src: FileSystem, dir: string): MemoryFileSystem {
  const out = new MemoryFileSystem();
  const walk = (d: string): void => {
    out.mkdir(d);
    for (const name of src.list(d)) {
      const p = join(d, name);
      let bytes: Buffer;
      try {
        bytes = src.readFile(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
          walk(p);
          continue;
        }
        throw err;
      }
      const f = out.create(p);
      f.append(bytes);
      f.close();
    }
  };
  walk(dir);
  return out;
}

/** Replaces the file `path` of `fs` with `bytes`. */
export function writeMemFile(fs: FileSystem, path: string, bytes: Uint8Array): void {
  const f = fs.create(path);
  f.append(bytes);
  f.close();
}
