// The kill loop's expected-state model and the verdict on what a reopened database holds.
// Rule (API.md "Ordering", design.md "Durability contract"): writes apply in call order and a SIGKILL loses
// nothing that reached write(2), so the recovered state must equal the model after applying a prefix
// ops[0, p) of the cycle's journaled ops, for some p with lastAcked < p <= begun. This one rule covers: no
// acknowledged write lost (p > lastAcked; sync or not), no deleted key resurrected (keys outside the prefix's
// effect must match exactly), and batches all-or-nothing (a partly applied batch matches no prefix).
import { entriesOf, valueFor, type Journal, type Op } from './workload.js';

/** A live key's value and where it came from ("c<cycle>.o<op>.e<entry>"), for messages. */
interface Cell {
  v: Buffer;
  src: string;
}

export class ExpectedState {
  readonly live = new Map<string, Cell>();
  /** Keys whose last write was a delete -> the op that deleted them (for "resurrected" messages). */
  readonly deletedBy = new Map<string, string>();

  clone(): ExpectedState {
    const s = new ExpectedState();
    for (const [k, c] of this.live) s.live.set(k, c);
    for (const [k, d] of this.deletedBy) s.deletedBy.set(k, d);
    return s;
  }

  apply(cycle: number, i: number, op: Op): void {
    for (const [j, e] of entriesOf(op).entries()) {
      const src = `c${cycle}.o${i}.e${j}`;
      if (e.len < 0) {
        this.live.delete(e.k);
        this.deletedBy.set(e.k, src);
      } else {
        this.live.set(e.k, { v: valueFor(cycle, i, j, e.len), src });
        this.deletedBy.delete(e.k);
      }
    }
  }

  /** What is wrong with `got` (undefined = absent) for key `k`, or undefined when it matches. */
  problem(k: string, got: Buffer | undefined): string | undefined {
    const want = this.live.get(k);
    if (want === undefined) {
      if (got === undefined) return undefined;
      const by = this.deletedBy.get(k);
      return by === undefined
        ? `key ${k} exists (${describe(got)}) but was never written`
        : `deleted key ${k} resurrected (deleted by ${by}; found ${describe(got)})`;
    }
    if (got === undefined) return `acknowledged write lost: key ${k} missing (expected ${want.src})`;
    if (!got.equals(want.v)) return `key ${k}: expected ${want.src}, found ${describe(got)}`;
    return undefined;
  }
}

function describe(v: Buffer): string {
  const head = /^c\d+\.o\d+\.e\d+/.exec(v.subarray(0, 24).toString('latin1'));
  return `${v.length} bytes${head === null ? '' : ` from ${head[0]}`}`;
}

export interface Verdict {
  /** The chosen prefix length p, or -1 when none explains the state. */
  prefix: number;
  /** ops[0, mustApply) had to be applied: mustApply = 1 + the highest acknowledged op. */
  mustApply: number;
  begun: number;
  /** The model after the chosen prefix (the next cycle's model), when prefix >= 0. */
  state: ExpectedState | undefined;
  problems: string[];
}

/**
 * Judges the recovered contents `got` (every live key) against `model` (the state before this cycle) and the
 * cycle's journal. REQUIRES: `got` is a complete scan of the database.
 */
export function judge(model: ExpectedState, cycle: number, j: Journal, got: Map<string, Buffer>): Verdict {
  const mustApply = j.acked.reduce((m, i) => Math.max(m, i + 1), 0);
  const begun = j.begun.length;
  const base = model.clone();
  for (let i = 0; i < mustApply; i++) base.apply(cycle, i, j.begun[i]!);
  const touched = new Set<string>();
  for (let i = mustApply; i < begun; i++) for (const e of entriesOf(j.begun[i]!)) touched.add(e.k);

  // Keys no in-flight op touched: exactly the state after the acknowledged prefix.
  const problems: string[] = [];
  for (const k of new Set([...base.live.keys(), ...got.keys()])) {
    if (touched.has(k)) continue;
    const p = base.problem(k, got.get(k));
    if (p !== undefined) problems.push(p);
  }
  // Touched keys: some prefix p in [mustApply, begun] must explain all of them at once.
  const state = base.clone();
  let best: { p: number; misses: string[] } | undefined;
  let prefix = -1;
  for (let p = mustApply; ; p++) {
    const misses: string[] = [];
    for (const k of touched) {
      const m = state.problem(k, got.get(k));
      if (m !== undefined) misses.push(m);
    }
    if (misses.length === 0) {
      prefix = p;
      break;
    }
    if (best === undefined || misses.length < best.misses.length) best = { p, misses };
    if (p === begun) break;
    state.apply(cycle, p, j.begun[p]!);
  }
  if (prefix < 0) {
    const inflight = j.begun
      .slice(mustApply)
      .map((op, n) => `o${mustApply + n}:${op.t}${op.t === 'batch' ? `(${op.e.length})` : ''}`);
    problems.push(
      `no prefix of the in-flight ops [${inflight.join(' ')}] explains the state of the keys they touch ` +
        `(a partial batch or a lost write); closest: ${best!.p} ops applied, with ${best!.misses.length} ` +
        `mismatches: ${best!.misses.slice(0, 5).join('; ')}`,
    );
  }
  return {
    prefix,
    mustApply,
    begun,
    state: problems.length === 0 ? state : undefined,
    problems,
  };
}
