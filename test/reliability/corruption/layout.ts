// Hand parsers for the layouts the sweep reports on, written from docs/format.md and src/format/sstable.ts and
// deliberately independent of src/sstable: a table's blocks by name (data i, filter, properties, metaindex,
// index, footer), each with its 5-byte trailer.
import { u32, u64, varint } from '../../../src/testing/index.js';

export interface Region {
  name: string;
  /** [start, end): file offsets (a block's range includes its trailer). */
  start: number;
  end: number;
}

const FOOTER = 40;
const TRAILER = 5;

/** Entries (key bytes, value offset) of the block contents b[start, end) (format.md "Block contents"). */
function blockEntries(b: Buffer, start: number, end: number): { key: Buffer; value: number }[] {
  const restarts = u32(b, end - 4);
  const limit = end - 4 - 4 * restarts;
  const out: { key: Buffer; value: number }[] = [];
  let prev = Buffer.alloc(0);
  let p = start;
  while (p < limit) {
    const [shared, p1] = varint(b, p);
    const [unshared, p2] = varint(b, p1);
    const [valueLen, p3] = varint(b, p2);
    const key = Buffer.concat([prev.subarray(0, shared), b.subarray(p3, p3 + unshared)]);
    out.push({ key, value: p3 + unshared });
    prev = key;
    p = p3 + unshared + valueLen;
  }
  return out;
}

/** The blocks of an intact table file. */
export function sstRegions(b: Buffer): Region[] {
  const footerAt = b.length - FOOTER;
  const metaOff = u64(b, footerAt);
  const metaSize = u32(b, footerAt + 8);
  const indexOff = u64(b, footerAt + 12);
  const indexSize = u32(b, footerAt + 20);
  const out: Region[] = [];
  blockEntries(b, indexOff, indexOff + indexSize).forEach((e, i) => {
    const off = u64(b, e.value);
    out.push({ name: `data ${i}`, start: off, end: off + u32(b, e.value + 8) + TRAILER });
  });
  for (const e of blockEntries(b, metaOff, metaOff + metaSize)) {
    const off = u64(b, e.value);
    const name = e.key.toString('latin1') === 'granite.bloom' ? 'filter' : 'properties';
    out.push({ name, start: off, end: off + u32(b, e.value + 8) + TRAILER });
  }
  out.push({ name: 'metaindex', start: metaOff, end: metaOff + metaSize + TRAILER });
  out.push({ name: 'index', start: indexOff, end: indexOff + indexSize + TRAILER });
  out.push({ name: 'footer', start: footerAt, end: b.length });
  return out.sort((x, y) => x.start - y.start);
}

/** The region holding byte `at`, or undefined. */
export function regionAt(regions: readonly Region[], at: number): Region | undefined {
  return regions.find((r) => at >= r.start && at < r.end);
}

/** The region name without its index ("data 3" -> "data"). */
export function regionKind(name: string): string {
  return name.replace(/ \d+$/, '');
}
