// Reading block contents (entry format in ../format/sstable.ts). Two ways in:
//   - seekInBlock(): the point-lookup path; binary search over restart points, then a short forward scan,
//     comparing bytes in place without allocating per entry;
//   - decodeBlock(): the cursor path; decodes every entry once into arrays (keys as binary strings), so that
//     next/prev inside a block are index steps.
// Every offset read from the block is bounds-checked: malformed contents raise CorruptionError, never a
// RangeError or a hang.
import { CorruptionError } from '../errors/errors.js';
import { getFixed32, getFixed64, getVarint } from '../util/coding.js';
import { binaryString, growBuffer } from '../util/bytes.js';

export interface DecodedBlock {
  /** User keys (binary strings); the whole key when the block has no trailers. */
  keys: string[];
  /** Trailers (seq * 256 + kind); -1 in blocks without trailers. */
  trailers: number[];
  valueOffsets: number[];
  valueLengths: number[];
  /** The bytes values point into. */
  data: Buffer;
  /** True when decoding began at a later restart point (decodeBlockFrom): entries before it are missing. */
  partial: boolean;
}

/** Validates the restart array of contents data[start, end); returns the offset where restarts begin. */
export function restartsStart(
  data: Buffer,
  start: number,
  end: number,
  file: string,
  offset: number,
): number {
  if (end - start < 4) throw new CorruptionError(file, offset, 'block too short');
  const n = getFixed32(data, end - 4);
  const rs = end - 4 - 4 * n;
  if (n === 0 || rs < start) throw new CorruptionError(file, offset, `bad restart count ${n}`);
  return rs;
}

const cur = { pos: 0 };

/** Decodes every entry of the block contents data[start, end). */
export function decodeBlock(
  data: Buffer,
  start: number,
  end: number,
  hasTrailer: boolean,
  file: string,
  offset: number,
): DecodedBlock {
  const limit = restartsStart(data, start, end, file, offset);
  return decodeEntries(data, start, limit, hasTrailer, false, file, offset);
}

/**
 * Decodes the entries of a data block (keys with trailers) from the last restart point whose internal key is
 * < (target, seekTrailer) to the end: every entry >= (target, seekTrailer) is in the result, most entries
 * before it are not (`partial` tells whether any were skipped). A seek reads a few entries of a block; decoding
 * all of them (keys as strings) was a sixth of seekrandom.
 */
export function decodeBlockFrom(
  data: Buffer,
  start: number,
  end: number,
  target: string,
  seekTrailer: number,
  file: string,
  offset: number,
): DecodedBlock {
  const rs = restartsStart(data, start, end, file, offset);
  const r = lastRestartBelow(data, start, rs, (end - 4 - rs) / 4, target, seekTrailer, file, offset);
  if (r === 0) return decodeEntries(data, start, rs, true, false, file, offset);
  return decodeEntries(data, start + getFixed32(data, rs + 4 * r), rs, true, true, file, offset);
}

/** Entries from data[p] (an entry with no shared bytes) up to `limit`, the start of the restart array. */
function decodeEntries(
  data: Buffer,
  p: number,
  limit: number,
  hasTrailer: boolean,
  partial: boolean,
  file: string,
  offset: number,
): DecodedBlock {
  const keys: string[] = [];
  const trailers: number[] = [];
  const valueOffsets: number[] = [];
  const valueLengths: number[] = [];
  // keyBuf always holds the previous entry's whole key, so a delta entry copies only its unshared bytes.
  let keyBuf: Buffer = scratch;
  let klen = 0;
  const tLen = hasTrailer ? 8 : 0;
  while (p < limit) {
    const shared = getVarint(data, p, limit, cur);
    if (shared < 0) throw bad(file, offset);
    const unshared = getVarint(data, cur.pos, limit, cur);
    if (unshared < 0) throw bad(file, offset);
    const vLen = getVarint(data, cur.pos, limit, cur);
    if (vLen < 0) throw bad(file, offset);
    const kStart = cur.pos;
    const vStart = kStart + unshared;
    const vEnd = vStart + vLen;
    if (vEnd > limit || shared > klen) throw bad(file, offset);
    const newLen = shared + unshared;
    if (newLen < tLen) throw bad(file, offset);
    keyBuf = applyKeyDelta(keyBuf, klen, shared, data, kStart, unshared);
    klen = newLen;
    keys.push(binaryString(keyBuf, 0, klen - tLen));
    trailers.push(hasTrailer ? getFixed64(keyBuf, klen - 8) : -1);
    valueOffsets.push(vStart);
    valueLengths.push(vLen);
    p = vEnd;
  }
  return { keys, trailers, valueOffsets, valueLengths, data, partial };
}

/**
 * Index of the last of the `n` restart points (array at data[rs]) whose key is < (target, seekTrailer), or 0.
 * Restart keys are stored whole (no shared bytes).
 */
function lastRestartBelow(
  data: Buffer,
  start: number,
  rs: number,
  n: number,
  target: string,
  seekTrailer: number,
  file: string,
  offset: number,
): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const p = start + getFixed32(data, rs + 4 * mid);
    if (p >= rs) throw bad(file, offset);
    const shared = getVarint(data, p, rs, cur);
    const unshared = getVarint(data, cur.pos, rs, cur);
    const vl = getVarint(data, cur.pos, rs, cur);
    if (shared !== 0 || unshared < 8 || vl < 0 || cur.pos + unshared > rs) throw bad(file, offset);
    const c = compareBytesToBinary(data, cur.pos, unshared - 8, target);
    const less = c < 0 || (c === 0 && getFixed64(data, cur.pos + unshared - 8) > seekTrailer);
    if (less) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

let scratch: Buffer = Buffer.allocUnsafe(256);

/**
 * Rebuilds an entry's key in the scratch buffer: keeps keyBuf[0, shared) of the previous key (klen bytes long)
 * and appends data[kStart, kStart + unshared). Returns the buffer holding it (the scratch, grown if needed).
 */
function applyKeyDelta(
  keyBuf: Buffer,
  klen: number,
  shared: number,
  data: Buffer,
  kStart: number,
  unshared: number,
): Buffer {
  if (keyBuf.length < shared + unshared) keyBuf = scratch = growBuffer(keyBuf, klen, shared + unshared);
  if (unshared <= 32) for (let i = 0; i < unshared; i++) keyBuf[shared + i] = data[kStart + i]!;
  else keyBuf.set(data.subarray(kStart, kStart + unshared), shared);
  return keyBuf;
}

function bad(file: string, offset: number): CorruptionError {
  return new CorruptionError(file, offset, 'malformed block entry');
}

/** Compares data[s, s + n) with binary string t bytewise. */
export function compareBytesToBinary(data: Uint8Array, s: number, n: number, t: string): number {
  const m = n < t.length ? n : t.length;
  for (let i = 0; i < m; i++) {
    const d = data[s + i]! - t.charCodeAt(i);
    if (d !== 0) return d;
  }
  return n - t.length;
}

export interface SeekResult {
  trailer: number;
  valueOffset: number;
  valueLength: number;
}

/**
 * Point lookup in a data block: finds the first entry whose internal key is >= (target, seekTrailer). Returns
 * true and fills `out` when that entry's user key equals `target`; false when there is none or it differs.
 */
export function seekInBlock(
  data: Buffer,
  start: number,
  end: number,
  target: string,
  seekTrailer: number,
  out: SeekResult,
  file: string,
  offset: number,
): boolean {
  const rs = restartsStart(data, start, end, file, offset);
  const lo = lastRestartBelow(data, start, rs, (end - 4 - rs) / 4, target, seekTrailer, file, offset);
  // Scan forward from restart `lo`, rebuilding keys in the scratch buffer. `matched` counts the leading bytes
  // the previous key has in common with target; when `belowAt` is true that key's user key was smaller than
  // target at byte `matched` (both have that byte). A key sharing more than `matched` bytes with the previous
  // one then has the same smaller byte there: still < target, no bytes to compare. Otherwise the key agrees
  // with target on its first min(shared, matched) bytes and is compared from there.
  let p = start + getFixed32(data, rs + 4 * lo);
  let keyBuf: Buffer = scratch;
  let klen = 0;
  let matched = 0;
  let belowAt = false;
  while (p < rs) {
    const shared = getVarint(data, p, rs, cur);
    const unshared = getVarint(data, cur.pos, rs, cur);
    const vLen = getVarint(data, cur.pos, rs, cur);
    const kStart = cur.pos;
    if (shared < 0 || unshared < 0 || vLen < 0 || shared > klen) throw bad(file, offset);
    const vStart = kStart + unshared;
    if (vStart + vLen > rs || shared + unshared < 8) throw bad(file, offset);
    const newLen = shared + unshared;
    keyBuf = applyKeyDelta(keyBuf, klen, shared, data, kStart, unshared);
    klen = newLen;
    const userLen = klen - 8;
    if (belowAt && shared > matched && matched < userLen) {
      p = vStart + vLen;
      continue;
    }
    let i = shared < matched ? shared : matched;
    const m = userLen < target.length ? userLen : target.length;
    while (i < m && keyBuf[i] === target.charCodeAt(i)) i++;
    matched = i;
    const c = i < m ? keyBuf[i]! - target.charCodeAt(i) : userLen - target.length;
    belowAt = c < 0 && i < m;
    if (c > 0) return false;
    if (c === 0) {
      const trailer = getFixed64(keyBuf, klen - 8);
      if (trailer <= seekTrailer) {
        out.trailer = trailer;
        out.valueOffset = vStart;
        out.valueLength = vLen;
        return true;
      }
    }
    p = vStart + vLen;
  }
  return false;
}
