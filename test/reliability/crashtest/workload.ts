// The kill loop's workload: write operations generated from a seeded Rng, their journal lines, and the values
// they write. A value is derived from (cycle, op index, entry index, length), so a journal line names a value
// by its length alone and the parent recomputes the exact bytes.
// Journal grammar (one line each, appended by the child with one write(2), read by the parent after the kill):
//   "B <i> <json Op>"  written before op i is called: it may have been applied from here on;
//   "A <i>"            written after op i's promise resolved: it was acknowledged.
// A line without its '\n' was cut by the kill and is ignored (its op counts as never begun or never acked).
import { Rng } from '../../../src/testing/index.js';

/** One entry of a write: a put of a value of length `len`, or (len < 0) a delete. */
export interface Entry {
  k: string;
  len: number;
}
export type Op =
  | { t: 'put'; k: string; len: number; sync: boolean }
  | { t: 'del'; k: string; sync: boolean }
  | { t: 'batch'; e: Entry[]; sync: boolean }
  | { t: 'flush' };

/** Keys: three prefixes x 1500 numbers; small enough that deletes and overwrites hit live keys often. */
const PREFIXES = ['a/', 'b/', 'user/'];
const KEYS_PER_PREFIX = 1500;

export function keyFor(rng: Rng): string {
  return `${rng.pick(PREFIXES)}${String(rng.int(KEYS_PER_PREFIX)).padStart(5, '0')}`;
}

function lengthFor(rng: Rng): number {
  const r = rng.next();
  if (r < 0.05) return 0; // an empty value is a real value
  if (r < 0.93) return rng.range(1, 300);
  return rng.range(1000, 6000); // larger than a small block and a good part of a tiny memtable
}

/** The next operation: puts 45%, deletes 17%, batches 36% (2-12 entries, repeats allowed), flush 2%. */
export function nextOp(rng: Rng): Op {
  const r = rng.next();
  const sync = rng.next() < 0.3;
  if (r < 0.45) return { t: 'put', k: keyFor(rng), len: lengthFor(rng), sync };
  if (r < 0.62) return { t: 'del', k: keyFor(rng), sync };
  if (r < 0.98) {
    const n = rng.range(2, 12);
    const e: Entry[] = [];
    for (let j = 0; j < n; j++) {
      // A repeated key checks "a later operation on the same key wins" inside a batch.
      const k = j > 0 && rng.next() < 0.1 ? e[rng.int(j)]!.k : keyFor(rng);
      e.push({ k, len: rng.next() < 0.25 ? -1 : lengthFor(rng) });
    }
    return { t: 'batch', e, sync };
  }
  return { t: 'flush' };
}

/** The entries an op writes, in order (a put is one entry, a delete one with len -1). */
export function entriesOf(op: Op): Entry[] {
  switch (op.t) {
    case 'put':
      return [{ k: op.k, len: op.len }];
    case 'del':
      return [{ k: op.k, len: -1 }];
    case 'batch':
      return op.e;
    case 'flush':
      return [];
  }
}

/** The value entry `j` of op `i` of `cycle` writes: a readable header, then filler, `len` bytes in all. */
export function valueFor(cycle: number, i: number, j: number, len: number): Buffer {
  const head = Buffer.from(`c${cycle}.o${i}.e${j}:`, 'latin1');
  const out = Buffer.alloc(len, 97 + ((cycle * 7 + i * 13 + j) % 26));
  head.copy(out, 0, 0, Math.min(len, head.length));
  return out;
}

export function beginLine(i: number, op: Op): string {
  return `B ${i} ${JSON.stringify(op)}\n`;
}
export function ackLine(i: number): string {
  return `A ${i}\n`;
}

export interface Journal {
  /** Ops in call order (index = op number). */
  begun: Op[];
  /** Acknowledged op numbers, in the order the acks were written. */
  acked: number[];
}

/** Parses a journal; throws on a malformed complete line (a bug in the child, not a crash artefact). */
export function parseJournal(text: string): Journal {
  const lines = text.split('\n');
  lines.pop(); // the part after the last '\n': empty, or a line cut by the kill
  const j: Journal = { begun: [], acked: [] };
  for (const l of lines) {
    const m = /^([BA]) (\d+)(?: (.*))?$/.exec(l);
    if (m === null) throw new Error(`journal: malformed line ${JSON.stringify(l)}`);
    const i = Number(m[2]);
    if (m[1] === 'B') {
      if (i !== j.begun.length) throw new Error(`journal: op ${i} begun out of order`);
      j.begun.push(JSON.parse(m[3]!) as Op);
    } else {
      if (i >= j.begun.length) throw new Error(`journal: op ${i} acknowledged before it began`);
      j.acked.push(i);
    }
  }
  return j;
}
