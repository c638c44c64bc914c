// The properties block: facts about a table, stored as a block whose keys are property names (sorted, no
// trailer) and whose values are varints or binary strings (docs/format.md, "Properties block").
import { CorruptionError } from '../errors/errors.js';
import { putVarint, varintLength } from '../util/coding.js';
import { BlockBuilder } from './block-builder.js';

export interface TableProperties {
  entries: number;
  deletions: number;
  dataBlocks: number;
  rawKeyBytes: number;
  rawValueBytes: number;
  smallestSeq: number;
  largestSeq: number;
  /** Smallest and largest internal keys (binary-string user key + trailer number). */
  smallestKey: string;
  smallestTrailer: number;
  largestKey: string;
  largestTrailer: number;
  codec: string;
  formatVersion: number;
  /** Size of the whole file; set by finish(), not stored. */
  fileSize: number;
}

const NUMERIC = [
  'dataBlocks',
  'deletions',
  'entries',
  'formatVersion',
  'largestSeq',
  'largestTrailer',
  'rawKeyBytes',
  'rawValueBytes',
  'smallestSeq',
  'smallestTrailer',
] as const;
const STRINGS = ['codec', 'largestKey', 'smallestKey'] as const;

export function encodeProperties(p: TableProperties): Buffer {
  const entries: [string, Buffer][] = [];
  for (const k of NUMERIC) {
    const b = Buffer.allocUnsafe(varintLength(p[k]));
    putVarint(b, 0, p[k]);
    entries.push([k, b]);
  }
  for (const k of STRINGS) entries.push([k, Buffer.from(p[k], 'latin1')]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const bb = new BlockBuilder(1);
  for (const [k, v] of entries) bb.add(k, -1, v, 0, v.length);
  return Buffer.from(bb.finish());
}

/** Decodes the properties from (name, value bytes) pairs; unknown names are ignored (forward compatible). */
export function decodeProperties(
  pairs: Iterable<[string, Buffer]>,
  file: string,
  offset: number,
): TableProperties {
  const p: Record<string, number | string> = {};
  for (const [k, v] of pairs) {
    if ((NUMERIC as readonly string[]).includes(k)) {
      let n = 0;
      let mul = 1;
      let i = 0;
      for (; i < v.length && i < 8; i++) {
        n += (v[i]! & 0x7f) * mul;
        if (v[i]! < 0x80) break;
        mul *= 128;
      }
      if (i >= v.length || i >= 8) throw new CorruptionError(file, offset, `bad varint in property ${k}`);
      p[k] = n;
    } else if ((STRINGS as readonly string[]).includes(k)) {
      p[k] = v.toString('latin1');
    }
  }
  for (const k of [...NUMERIC, ...STRINGS]) {
    if (p[k] === undefined) throw new CorruptionError(file, offset, `property ${k} missing`);
  }
  return { ...(p as unknown as TableProperties), fileSize: 0 };
}
