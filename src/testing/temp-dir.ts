// Temporary database directories for tests (under os.tmpdir(), removed by the caller), and whole-directory
// copies and pictures (names + bytes) for "changes nothing on disk" checks. Never exported from the package.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh empty directory under os.tmpdir(). */
export function makeTempDir(prefix = 'granite-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes `dir` and everything in it; no error if missing. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Copies the directory `from` (recursively) to `to`, which must not exist. */
export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** A temp dir handed to `fn` and removed afterwards, even when `fn` throws. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, prefix?: string): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removeDir(dir);
  }
}

/** name -> bytes (hex) of every file under `dir` (recursively; directories as "name/"); {} when missing. */
export function dirPicture(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        out[`${rel}${n}/`] = '';
        walk(p, `${rel}${n}/`);
      } else {
        out[`${rel}${n}`] = readFileSync(p).toString('hex');
      }
    }
  };
  walk(dir, '');
  return out;
}
