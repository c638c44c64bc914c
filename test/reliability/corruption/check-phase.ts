// `granite check` (src/cli/check.ts, which reads real directories only) on a damaged image: the image is
// written to a directory on disk (the sweep's scratch directory, under /dev/shm when it exists) and checked.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryFileSystem } from '../../../src/fs/index.js';
import { checkDatabase } from '../../../src/cli/check.js';
import { Progress } from '../../../src/cli/progress.js';
import { DIR } from './fixtures.js';

let serial = 0;

/** Runs check on a disk copy of `fs`'s database directory (under `root`); returns the problems it lists. */
export async function checkImage(fs: MemoryFileSystem, root: string): Promise<string[]> {
  const dir = join(root, `case-${serial++}`);
  mkdirSync(dir, { recursive: true });
  try {
    for (const name of fs.list(DIR)) writeFileSync(join(dir, name), fs.readFile(join(DIR, name)));
    const report = await checkDatabase(dir, new Progress('check', 0));
    return report.problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
