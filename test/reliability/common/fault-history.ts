// The expected-state model of the fault tests (power loss, I/O errors): the writes in the order they were
// submitted, what each did to its keys, and what the engine answered. Invariants: writes reach the WAL in
// submission order, so every state the database may show is `stateAt(L)` for one prefix length L (a batch
// is inside or outside a prefix as a whole); the promises of docs/reliability.md ("The durability contract")
// give the lower bound of L, submission the upper bound. Values are unique per write and entry
// (`valueOf(id, j)` starts with "id.j|"), so a diff names the write a value came from.

/** One key's new value in a write: a string, or undefined for a deletion. */
export type Entry = readonly [key: string, value: string | undefined];

export type WriteStatus = 'pending' | 'acked' | 'rejected';

export interface WriteRecord {
  /** Workload-wide number of the write (stable across reopens; used in values and messages). */
  readonly id: number;
  readonly kind: 'put' | 'delete' | 'batch';
  readonly entries: readonly Entry[];
  readonly sync: boolean;
  status: WriteStatus;
  /** Submitted while the database already held a sticky error: rejected before reaching the WAL. */
  neverAppended: boolean;
}

/** A value that names its write: "id.j|" then filler up to `length` bytes. */
export function valueOf(id: number, j: number, length: number): string {
  const head = `${id}.${j}|`;
  return length <= head.length
    ? head
    : head + String.fromCharCode(97 + ((id + j) % 26)).repeat(length - head.length);
}

/** The write id a value came from, or -1 when it is not one of ours. */
export function writerOf(value: string): number {
  const m = /^(\d+)\.\d+\|/.exec(value);
  return m ? Number(m[1]) : -1;
}

export interface MatchResult {
  /** The prefix length whose state equals the observed one, or -1. */
  length: number;
  /** When length is -1: the closest prefix in [lo, hi] and what differs there. */
  closest: number;
  diffs: string[];
}

export class History {
  #writes: WriteRecord[] = [];
  #durable = 0;

  /** Writes in the effective history (after any settle), oldest first. */
  get writes(): readonly WriteRecord[] {
    return this.#writes;
  }

  get length(): number {
    return this.#writes.length;
  }

  /** Adds a write about to be submitted; returns its index. */
  submit(rec: Omit<WriteRecord, 'status'>): number {
    this.#writes.push({ ...rec, status: 'pending' });
    return this.#writes.length - 1;
  }

  /** Prefix length the contract makes survive power loss: every write up to an acknowledged sync write,
   *  flush() or compactRange(), or recovered by a successful read-write open. */
  get durable(): number {
    return this.#durable;
  }

  /** The first `n` writes are durable from now on (never lowers the mark). */
  markDurable(n: number): void {
    if (n > this.#durable) this.#durable = n;
  }

  /** 1 + the index of the last acknowledged write: a process crash keeps at least this prefix. */
  get acked(): number {
    for (let i = this.#writes.length - 1; i >= 0; i--) if (this.#writes[i]!.status === 'acked') return i + 1;
    return 0;
  }

  /** The longest prefix that may have reached the WAL: writes rejected before the WAL are excluded. */
  get submitted(): number {
    let n = this.#writes.length;
    while (n > 0 && this.#writes[n - 1]!.neverAppended) n--;
    return n;
  }

  /** Lower bound of L after a crash in `mode` (power loss keeps the durable prefix, a process crash every
   *  acknowledged write). */
  lowerBound(mode: 'power-loss' | 'process-crash'): number {
    return mode === 'power-loss' ? this.#durable : Math.max(this.#durable, this.acked);
  }

  /** After a successful reopen showed prefix `length`: the rest never happened; what it holds is durable. */
  settle(length: number): void {
    this.#writes = this.#writes.slice(0, length);
    this.#durable = length;
  }

  /** The key -> value map after the first `length` writes. */
  stateAt(length: number): Map<string, string> {
    const m = new Map<string, string>();
    for (let i = 0; i < length; i++) apply(m, this.#writes[i]!);
    return m;
  }

  /** Finds L in [lo, hi] with stateAt(L) equal to `observed` (the smallest such L). */
  match(observed: ReadonlyMap<string, string>, lo: number, hi: number): MatchResult {
    const state = this.stateAt(lo);
    const bad = new Set<string>();
    const check = (k: string): void => {
      if (state.get(k) === observed.get(k)) bad.delete(k);
      else bad.add(k);
    };
    for (const k of state.keys()) check(k);
    for (const k of observed.keys()) check(k);
    let closest = lo;
    let fewest = bad.size;
    for (let L = lo; ; L++) {
      if (bad.size === 0) return { length: L, closest: L, diffs: [] };
      if (bad.size < fewest) {
        fewest = bad.size;
        closest = L;
      }
      if (L >= hi) break;
      const w = this.#writes[L]!;
      apply(state, w);
      for (const [k] of w.entries) check(k);
    }
    return { length: -1, closest, diffs: this.describe(observed, closest) };
  }

  /** One line per key where `observed` differs from stateAt(length), naming the writes involved. */
  describe(observed: ReadonlyMap<string, string>, length: number, limit = 12): string[] {
    const want = this.stateAt(length);
    const lastWriter = new Map<string, WriteRecord>();
    for (let i = 0; i < length; i++)
      for (const [k] of this.#writes[i]!.entries) lastWriter.set(k, this.#writes[i]!);
    const keys = [...new Set([...want.keys(), ...observed.keys()])].sort();
    const out: string[] = [];
    for (const k of keys) {
      const w = want.get(k);
      const g = observed.get(k);
      if (w === g) continue;
      const by = lastWriter.get(k);
      const expected =
        w === undefined
          ? `absent${by ? ` (deleted by ${this.label(by)})` : ''}`
          : `${brief(w)} (${this.label(by!)})`;
      const gotBy = g === undefined ? undefined : this.#writes.find((x) => x.id === writerOf(g));
      const got =
        g === undefined
          ? 'absent'
          : `${brief(g)}${gotBy ? ` (${this.label(gotBy)})` : ' (written by no write of this history)'}`;
      out.push(`${k}: expected ${expected}, got ${got}`);
      if (out.length >= limit) {
        out.push('...');
        break;
      }
    }
    return out;
  }

  /** "write #id (put sync, acked, index i)". */
  label(w: WriteRecord): string {
    const i = this.#writes.indexOf(w);
    return `write #${w.id} (${w.kind}${w.kind === 'batch' ? ` of ${w.entries.length}` : ''}${w.sync ? ' sync' : ''}, ${w.status}, index ${i})`;
  }
}

function apply(m: Map<string, string>, w: WriteRecord): void {
  for (const [k, v] of w.entries) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
}

function brief(v: string): string {
  return JSON.stringify(v.length > 14 ? `${v.slice(0, 12)}..` : v);
}
