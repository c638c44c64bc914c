// Node-shaped system errors for the in-memory file systems: an Error with `code`, `errno`, `syscall` and
// `path` exactly like those node:fs throws, so toIOError() keeps the code (ENOENT, EEXIST, EIO, ...).
// Also the one path grammar the memory file systems share: POSIX, resolved against "/".
import { posix } from 'node:path';

const ERRNO: Readonly<Record<string, readonly [number, string]>> = {
  ENOENT: [-2, 'no such file or directory'],
  EIO: [-5, 'i/o error'],
  EBADF: [-9, 'bad file descriptor'],
  EBUSY: [-16, 'resource busy or locked'],
  EEXIST: [-17, 'file already exists'],
  ENOTDIR: [-20, 'not a directory'],
  EISDIR: [-21, 'illegal operation on a directory'],
  EINVAL: [-22, 'invalid argument'],
  ENOSPC: [-28, 'no space left on device'],
  ENOTEMPTY: [-39, 'directory not empty'],
};

/** A system error as node:fs would throw it: `${code}: ${description}, ${syscall} '${path}'`. */
export function fsError(code: string, syscall: string, path: string, dest?: string, detail?: string): Error {
  const [errno, description] = ERRNO[code] ?? [-1, code.toLowerCase()];
  const where = dest === undefined ? `'${path}'` : `'${path}' -> '${dest}'`;
  const message = `${code}: ${description}${detail ? ` (${detail})` : ''}, ${syscall} ${where}`;
  const props: Record<string, unknown> = { errno, code, syscall, path };
  if (dest !== undefined) props['dest'] = dest;
  return Object.assign(new Error(message), props);
}

/** The components of `path` resolved against "/" ([] is the root). Throws ENOENT for the empty path. */
export function splitPath(path: string, syscall: string): string[] {
  if (path.length === 0) throw fsError('ENOENT', syscall, path);
  return posix
    .resolve('/', path)
    .split('/')
    .filter((c) => c.length > 0);
}

/** `path` resolved against "/" and normalised ("/a/b", "/" for the root). */
export function normalizePath(path: string): string {
  return posix.resolve('/', path);
}
