// Builds the MemoryFileSystem a crash leaves behind from a FaultTree (see fault-tree.ts). Modes:
// 'keep-unsynced' (process crash: everything as written), 'drop-unsynced' (power loss, worst case: only
// durable bytes and durable directory entries), 'tear' (power loss, somewhere in between: each file keeps a
// random prefix of its unsynced tail, cut at any byte; the unsynced directory changes survive as one prefix
// of their global order, so a later change never survives without an earlier one). The tree is not changed.
import { normalizePath } from './fs-error.js';
import { FaultDir, type FaultInode, type FaultNode, type FaultTree } from './fault-tree.js';
import { MemoryFileSystem } from './memory-fs.js';
import type { Prng } from './prng.js';

/** What survives a crash; see FaultInjectingFileSystem.crash(). */
export type CrashMode = 'drop-unsynced' | 'keep-unsynced' | 'tear';

/** Options for crash(mode 'tear'); ignored by the other modes. */
export interface CrashOptions {
  /** Seed for this crash's choices. @default the next draw of the file system's own seeded generator */
  seed?: number;
  /** Exact resulting lengths by path (in the crashed image): the file keeps its first `length` live bytes.
   *  REQUIRES: durable length <= length <= written length (any length up to written after a truncation). */
  tornLengths?: Readonly<Record<string, number>>;
  /** How many of the unsynced directory changes survive, in the order they were made. @default random */
  keepDirOps?: number;
}

/** The file system a crash in `mode` leaves; `rng` drives the 'tear' choices. */
export function buildCrashImage(
  tree: FaultTree,
  mode: CrashMode,
  options: CrashOptions,
  rng: Prng,
): MemoryFileSystem {
  const out = new MemoryFileSystem();
  const torn = new Map(Object.entries(options.tornLengths ?? {}).map(([p, n]) => [normalizePath(p), n]));
  let cut = Infinity;
  if (mode === 'tear') {
    const seqs = tree.pendingSeqs();
    const keep = options.keepDirOps ?? biasedLength(0, seqs.length, rng);
    cut = keep < seqs.length ? seqs[Math.max(0, keep)]! : Infinity;
  }
  const entriesOf = (dir: FaultDir): Map<string, FaultNode> =>
    mode === 'keep-unsynced' ? dir.live : mode === 'drop-unsynced' ? dir.durable : dir.entriesAt(cut);
  const contentOf = (inode: FaultInode, path: string): Buffer => {
    if (mode === 'keep-unsynced') return inode.file.copy();
    if (mode === 'drop-unsynced') return inode.durableBytes();
    const chosen = torn.get(path);
    if (chosen !== undefined) return tornTo(inode, path, chosen);
    if (inode.override !== null && rng.next() < 0.5) return inode.override;
    const lo = inode.override === null ? inode.durableLength : 0;
    return inode.file.copy(0, biasedLength(lo, inode.file.length, rng));
  };
  const visit = (dir: FaultDir, path: string, onPath: Set<FaultDir>): void => {
    const entries = [...entriesOf(dir)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, node] of entries) {
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      if (node instanceof FaultDir) {
        out.mkdir(child);
        if (onPath.has(node)) continue; // a cycle only partial syncs of directory moves can build
        onPath.add(node);
        visit(node, child, onPath);
        onPath.delete(node);
      } else {
        const file = out.create(child);
        file.append(contentOf(node, child));
        file.close();
      }
    }
  };
  visit(tree.root, '/', new Set([tree.root]));
  return out;
}

function tornTo(inode: FaultInode, path: string, length: number): Buffer {
  const lo = inode.override === null ? inode.durableLength : 0;
  if (!Number.isInteger(length) || length < lo || length > inode.file.length) {
    throw new RangeError(`torn length ${length} for ${path} is outside [${lo}, ${inode.file.length}]`);
  }
  return inode.file.copy(0, length);
}

/** A length in [lo, hi]: lo a quarter of the time, hi a quarter, else uniform. */
function biasedLength(lo: number, hi: number, rng: Prng): number {
  const r = rng.next();
  if (r < 0.25 || hi <= lo) return lo;
  if (r < 0.5) return hi;
  return lo + rng.int(hi - lo + 1);
}
