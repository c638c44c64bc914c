// Opening what a crash left (a MemoryFileSystem from FaultInjectingFileSystem.crash) and reading it back for
// the fault tests: open must succeed; point reads agree with a full scan; after waitForCompaction no orphan
// file is left (src/testing/orphans.ts); a second open shows the same state and again no orphans. The outcome
// depends only on the image's bytes and the options, so callers cache it by imageHash.
import { createHash } from 'node:crypto';
import { GraniteDB, type Options } from '../../../src/index.js';
import type { MemoryFileSystem } from '../../../src/fs/index.js';
import { orphanProblems } from '../../../src/testing/index.js';
import { DIR, withDeadline } from './fault-workload.js';

export interface ImageOutcome {
  /** What the first open showed; undefined when it failed. */
  state: Map<string, string> | undefined;
  /** Everything wrong apart from the state's content (which the caller matches against its History). */
  problems: string[];
}

/** A digest of every path and byte in `fs`. */
export function imageHash(fs: MemoryFileSystem): string {
  const h = createHash('sha1');
  const walk = (dir: string): void => {
    for (const name of fs.list(dir).sort()) {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      let bytes: Buffer;
      try {
        bytes = fs.readFile(p);
      } catch {
        h.update(`d:${p}\n`);
        walk(p);
        continue;
      }
      h.update(`f:${p}:${bytes.length}\n`);
      h.update(bytes);
    }
  };
  walk('/');
  return h.digest('hex');
}

/** Opens `image` twice (see the file header); `keys` are read point-wise as well as scanned. */
export async function inspectImage(
  image: MemoryFileSystem,
  options: Partial<Options>,
  keys: readonly string[],
  deadlineMs: number,
): Promise<ImageOutcome> {
  const problems: string[] = [];
  const opts = { ...options, fileSystem: image };
  let first: Map<string, string> | undefined;
  for (const round of ['first open', 'second open'] as const) {
    let db: GraniteDB;
    try {
      db = await withDeadline(GraniteDB.open(DIR, opts), deadlineMs, round);
    } catch (err) {
      problems.push(`${round} failed: ${describe(err)}`);
      return { state: first, problems };
    }
    try {
      const state = readAll(db, keys, round, problems);
      if (first === undefined) first = state;
      else if (!sameMap(first, state)) problems.push(`${round} shows another state than the first open`);
      await withDeadline(db.waitForCompaction(), deadlineMs, `${round}: waitForCompaction`);
      const orphans = orphanProblems(image.list(DIR), db.stats());
      if (orphans.length > 0) problems.push(`${round}: ${orphans.join('; ')}`);
    } catch (err) {
      problems.push(`${round}: ${describe(err)}`);
    } finally {
      await withDeadline(db.close(), deadlineMs, `${round}: close`).catch((err: unknown) =>
        problems.push(`${round}: close: ${describe(err)}`),
      );
    }
  }
  return { state: first, problems };
}

/** A full scan as a map; every key of `keys` read with getSync must agree with it. */
function readAll(
  db: GraniteDB,
  keys: readonly string[],
  where: string,
  problems: string[],
): Map<string, string> {
  const state = new Map<string, string>();
  for (const [k, v] of db.iterator()) state.set(k!.toString('latin1'), v!.toString('latin1'));
  for (const k of keys) {
    const got = db.getSync(k)?.toString('latin1');
    if (got !== state.get(k))
      problems.push(`${where}: get ${k} = ${String(got)} but the scan has ${String(state.get(k))}`);
  }
  return state;
}

function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.constructor.name}${code !== undefined ? ` ${String(code)}` : ''}: ${err.message}`;
  }
  return String(err);
}
