// The durability model behind FaultInjectingFileSystem: a mirror of the live directory tree in which every
// directory also keeps its durable entries and the changes made since its last syncDir, and every file (a
// FaultInode over the shared MemFile) its durable length. Invariants: live = durable + pending changes
// applied in order; a file's durable bytes are `override ?? bytes[0, durableLength)` (override only after a
// truncation that no sync has yet covered); changes carry one global sequence number so a crash can keep a
// prefix of them in the order they happened. Directories are identities, not paths: a renamed directory
// keeps its own durable/pending state. A cross-directory rename is one change in each of the two
// directories, made durable separately by each directory's syncDir.
import { splitPath } from './fs-error.js';
import type { MemFile } from './mem-file.js';

export class FaultInode {
  readonly file: MemFile;
  durableLength = 0;
  override: Buffer | null = null;
  constructor(file: MemFile) {
    this.file = file;
  }
  /** sync(): every byte appended so far is durable. */
  markSynced(): void {
    this.durableLength = this.file.length;
    this.override = null;
  }
  /** Call before the file is truncated: its durable bytes survive until the next sync. */
  beforeTruncate(): void {
    if (this.override === null) this.override = this.file.copy(0, this.durableLength);
  }
  /** The bytes a power loss leaves. */
  durableBytes(): Buffer {
    return this.override ?? this.file.copy(0, this.durableLength);
  }
}

export type FaultNode = FaultInode | FaultDir;
export type EntryChange = readonly [dir: FaultDir, name: string, node: FaultNode | undefined];
export interface DirOp {
  readonly seq: number;
  readonly changes: ReadonlyArray<readonly [name: string, node: FaultNode | undefined]>;
}

export class FaultDir {
  readonly live = new Map<string, FaultNode>();
  durable = new Map<string, FaultNode>();
  pending: DirOp[] = [];
  /** syncDir(): the live entries become the durable ones. */
  markSynced(): void {
    this.durable = new Map(this.live);
    this.pending = [];
  }
  /** The entries a crash leaves when the unsynced changes with seq < `cut` survive. */
  entriesAt(cut: number): Map<string, FaultNode> {
    const out = new Map(this.durable);
    for (const op of this.pending) {
      if (op.seq >= cut) break;
      for (const [name, node] of op.changes) {
        if (node === undefined) out.delete(name);
        else out.set(name, node);
      }
    }
    return out;
  }
}

export class FaultTree {
  readonly root = new FaultDir();
  #seq = 0;
  #dirs = new Set<FaultDir>([this.root]);
  #inodes = new WeakMap<MemFile, FaultInode>();

  /** The inode over `file`, made on first use. */
  inodeOf(file: MemFile): FaultInode {
    let inode = this.#inodes.get(file);
    if (inode === undefined) {
      inode = new FaultInode(file);
      this.#inodes.set(file, inode);
    }
    return inode;
  }

  newDir(): FaultDir {
    const dir = new FaultDir();
    this.#dirs.add(dir);
    return dir;
  }

  /** The live node at `path`, or undefined. */
  lookup(path: string): FaultNode | undefined {
    let cur: FaultNode | undefined = this.root;
    for (const part of splitPath(path, 'stat')) {
      if (!(cur instanceof FaultDir)) return undefined;
      cur = cur.live.get(part);
    }
    return cur;
  }

  /** The live directory holding `path` and the last component. REQUIRES: the parent exists (the wrapped
   *  file system just accepted an operation on `path`). */
  parentOf(path: string): [FaultDir, string] {
    const parts = splitPath(path, 'stat');
    const dir = this.lookup('/' + parts.slice(0, -1).join('/'));
    if (!(dir instanceof FaultDir) || parts.length === 0) {
      throw new Error(
        `granitedb internal error: fault fs mirror lost ${path} (was the base fs changed directly?)`,
      );
    }
    return [dir, parts[parts.length - 1]!];
  }

  /** Applies one atomic set of directory-entry changes (one sequence number) to the live tree. */
  change(changes: readonly EntryChange[]): void {
    const seq = ++this.#seq;
    const byDir = new Map<FaultDir, Array<readonly [string, FaultNode | undefined]>>();
    for (const [dir, name, node] of changes) {
      if (node === undefined) dir.live.delete(name);
      else dir.live.set(name, node);
      const list = byDir.get(dir) ?? [];
      list.push([name, node]);
      byDir.set(dir, list);
    }
    for (const [dir, list] of byDir) dir.pending.push({ seq, changes: list });
  }

  /** Sequence numbers of every directory change not yet made durable, ascending. */
  pendingSeqs(): number[] {
    const seqs = new Set<number>();
    for (const dir of this.#dirs) for (const op of dir.pending) seqs.add(op.seq);
    return [...seqs].sort((a, b) => a - b);
  }

  /** Makes the whole live tree durable: every reachable file synced, every reachable directory synced. */
  syncAll(): void {
    const visit = (dir: FaultDir): void => {
      dir.markSynced();
      for (const node of dir.live.values()) {
        if (node instanceof FaultDir) visit(node);
        else node.markSynced();
      }
    };
    visit(this.root);
  }
}
