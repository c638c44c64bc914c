// Decoding of the batch format (../format/batch.ts) with bounds checks: a malformed payload raises
// CorruptionError naming the file and the offset of the record that holds it.
import { BATCH_COUNT_OFFSET, BATCH_HEADER_SIZE } from '../format/batch.js';
import { Kind } from '../format/keys.js';
import { CorruptionError } from '../errors/errors.js';
import { getFixed32, getFixed64, getVarint } from '../util/coding.js';

export interface BatchVisitor {
  /** kind, key bytes rep[keyStart, keyEnd), value bytes rep[valueStart, valueEnd) (empty for deletes). */
  (kind: Kind, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void;
}

export function batchSeq(rep: Uint8Array): number {
  return getFixed64(rep, 0);
}
export function batchCount(rep: Uint8Array): number {
  return getFixed32(rep, BATCH_COUNT_OFFSET);
}

/**
 * Visits every record of rep[0, len). Throws CorruptionError(file, offset) if the records do not parse or their
 * number differs from the header's count.
 */
export function visitBatch(
  rep: Uint8Array,
  len: number,
  file: string,
  offset: number,
  visit: BatchVisitor,
): void {
  if (len < BATCH_HEADER_SIZE) throw new CorruptionError(file, offset, `batch of ${len} bytes is too short`);
  const count = batchCount(rep);
  const cur = { pos: 0 };
  let p = BATCH_HEADER_SIZE;
  let n = 0;
  while (p < len) {
    const kind = rep[p++]!;
    if (kind !== Kind.Value && kind !== Kind.Delete)
      throw new CorruptionError(file, offset, `bad record kind ${kind}`);
    const kLen = getVarint(rep, p, len, cur);
    if (kLen <= 0 || cur.pos + kLen > len) throw new CorruptionError(file, offset, 'bad key length in batch');
    const kStart = cur.pos;
    p = kStart + kLen;
    let vStart = p;
    let vEnd = p;
    if (kind === Kind.Value) {
      const vLen = getVarint(rep, p, len, cur);
      if (vLen < 0 || cur.pos + vLen > len)
        throw new CorruptionError(file, offset, 'bad value length in batch');
      vStart = cur.pos;
      vEnd = vStart + vLen;
      p = vEnd;
    }
    visit(kind, kStart, kStart + kLen, vStart, vEnd);
    n++;
  }
  if (n !== count) throw new CorruptionError(file, offset, `batch holds ${n} records, header says ${count}`);
}
