// A hand-written parser of the log framing (src/format/wal.ts), for tests that damage WAL and MANIFEST files
// at chosen places. Deliberately independent of src/wal/: it reads the grammar, not the engine's reader.
import { u32 } from '../../src/testing/index.js';

export const BLOCK = 32768;
export const HEADER = 7;

export interface Fragment {
  /** Offset of the fragment header. */
  offset: number;
  type: number;
  length: number;
}
export interface Record {
  /** Offset of the header of the first fragment. */
  offset: number;
  /** One past the last payload byte of its last fragment. */
  end: number;
  fragments: Fragment[];
}

/** The fragments of an undamaged log file, in order (block trailers skipped). */
export function fragmentsOf(buf: Uint8Array): Fragment[] {
  const out: Fragment[] = [];
  let p = 0;
  while (p < buf.length) {
    const left = BLOCK - (p % BLOCK);
    if (left < HEADER) {
      p += left;
      continue;
    }
    if (p + HEADER > buf.length) throw new Error(`log ends inside a header at ${p}`);
    const length = buf[p + 4]! | (buf[p + 5]! << 8);
    const type = buf[p + 6]!;
    if (type === 0 && length === 0 && u32(buf, p) === 0) {
      p += left; // zero padding
      continue;
    }
    out.push({ offset: p, type, length });
    p += HEADER + length;
  }
  return out;
}

/** Groups fragments into records (Full = 1, First = 2, Middle = 3, Last = 4). */
export function recordsOf(buf: Uint8Array): Record[] {
  const out: Record[] = [];
  let cur: Record | undefined;
  for (const f of fragmentsOf(buf)) {
    if (f.type === 1 || f.type === 2) cur = { offset: f.offset, end: 0, fragments: [] };
    if (cur === undefined) throw new Error(`fragment without a first fragment at ${f.offset}`);
    cur.fragments.push(f);
    if (f.type === 1 || f.type === 4) {
      cur.end = f.offset + HEADER + f.length;
      out.push(cur);
      cur = undefined;
    }
  }
  return out;
}
