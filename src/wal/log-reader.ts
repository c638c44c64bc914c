// Reads records framed by LogWriter (../format/wal.ts) from a whole file held in memory, and classifies damage:
//   - a torn tail: damage after which no intact record follows (a crash mid-append, or a truncation);
//   - mid-log corruption: damage followed by at least one intact record.
// What each does depends on the WalRecoveryMode (see readLogFile). Offsets are byte offsets in the file of the
// damaged fragment's header (or of the record's first fragment for records).
import { CorruptionError } from '../errors/errors.js';
import { FragmentType, LOG_BLOCK_SIZE, LOG_HEADER_SIZE, MAX_FRAGMENT_TYPE } from '../format/wal.js';
import type { WalRecoveryMode } from '../options/options.js';
import { crc32Of, maskCrc } from '../util/checksum.js';
import { getFixed32 } from '../util/coding.js';

const TYPE_CRC = [0, 1, 2, 3, 4].map((t) => crc32Of(Uint8Array.of(t)));

export interface LogRecord {
  data: Buffer;
  /** File offset of the header of the record's first fragment. */
  offset: number;
}

export interface LogReadOutcome {
  /** Offset of the first damage seen, or -1. */
  damageOffset: number;
  /** Why, for the first damage. */
  damage: string;
  /** True when records after the damage were dropped (point-in-time and torn tails). */
  truncated: boolean;
}

type Fragment =
  | { ok: true; type: number; start: number; end: number; next: number }
  | { ok: false; why: string; next: number; atEof: boolean };

function blockEndOf(p: number): number {
  return (Math.floor(p / LOG_BLOCK_SIZE) + 1) * LOG_BLOCK_SIZE;
}

function readFragment(buf: Buffer, p: number): Fragment | undefined {
  const blockEnd = blockEndOf(p);
  if (p >= buf.length) return undefined;
  if (blockEnd - p < LOG_HEADER_SIZE) return readFragment(buf, blockEnd); // block trailer
  if (p + LOG_HEADER_SIZE > buf.length)
    return { ok: false, why: 'truncated fragment header', next: buf.length, atEof: true };
  const len = buf[p + 4]! | (buf[p + 5]! << 8);
  const type = buf[p + 6]!;
  if (type === FragmentType.Zero && len === 0 && getFixed32(buf, p) === 0) {
    // Zero padding (preallocation or a block tail): skip to the next block.
    const zeroToEnd = isAllZero(buf, p, buf.length);
    return { ok: false, why: 'zero bytes', next: zeroToEnd ? buf.length : blockEnd, atEof: zeroToEnd };
  }
  const end = p + LOG_HEADER_SIZE + len;
  if (end > buf.length) return { ok: false, why: 'truncated fragment', next: blockEnd, atEof: true };
  if (end > blockEnd) return { ok: false, why: `bad fragment length ${len}`, next: blockEnd, atEof: false };
  if (type > MAX_FRAGMENT_TYPE || type === FragmentType.Zero) {
    return { ok: false, why: `bad fragment type ${type}`, next: end, atEof: false };
  }
  const expected = getFixed32(buf, p);
  const actual = maskCrc(crc32Of(buf.subarray(p + LOG_HEADER_SIZE, end), TYPE_CRC[type]));
  if (expected !== actual) return { ok: false, why: 'checksum mismatch', next: end, atEof: false };
  return { ok: true, type, start: p + LOG_HEADER_SIZE, end, next: end };
}

function isAllZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/** True if an intact Full or First fragment starts at p. */
function intactStartAt(buf: Buffer, p: number): boolean {
  if (p + LOG_HEADER_SIZE > buf.length) return false;
  const type = buf[p + 6]!;
  if (type !== FragmentType.Full && type !== FragmentType.First) return false;
  const f = readFragment(buf, p);
  return f !== undefined && f.ok;
}

/**
 * True if an intact record starts after the damage at `from` (used to tell a torn tail from corruption):
 * every byte offset of the damaged block is a candidate (the damaged length is not trusted), and every later
 * block is walked from its start, where a fragment always begins.
 */
function intactRecordFollows(buf: Buffer, from: number): boolean {
  const blockEnd = Math.min(buf.length, blockEndOf(from));
  for (let p = from + 1; p + LOG_HEADER_SIZE <= blockEnd; p++) if (intactStartAt(buf, p)) return true;
  for (let b = blockEndOf(from); b < buf.length; b += LOG_BLOCK_SIZE) {
    let p = b;
    const end = Math.min(buf.length, b + LOG_BLOCK_SIZE);
    while (p + LOG_HEADER_SIZE <= end) {
      const f = readFragment(buf, p);
      if (f === undefined || !f.ok) break;
      if (f.type === FragmentType.Full || f.type === FragmentType.First) return true;
      p = f.next;
    }
  }
  return false;
}

/**
 * Calls `onRecord` for every intact record of `buf` in order. Damage handling by `mode`:
 *   'tolerate-corrupted-tail': a torn tail of the last log is dropped; other damage throws CorruptionError.
 *   'absolute-consistency': any damage throws.
 *   'point-in-time': reading stops at the first damage (outcome.truncated), no error.
 *   'skip-any-corrupted': damaged records are skipped, reading goes on.
 */
export function readLogFile(
  buf: Buffer,
  file: string,
  mode: WalRecoveryMode,
  isLastLog: boolean,
  onRecord: (r: LogRecord) => void,
  /** When true (the MANIFEST), only a file that ends inside a record counts as a torn tail; a complete final
   *  record that fails its checksum is corruption. */
  tornOnlyByTruncation = false,
): LogReadOutcome {
  const outcome: LogReadOutcome = { damageOffset: -1, damage: '', truncated: false };
  let p = 0;
  let parts: Buffer[] = [];
  let recordStart = -1;

  const damage = (at: number, why: string, atEof: boolean): boolean => {
    // Returns true when reading should stop.
    if (outcome.damageOffset < 0) {
      outcome.damageOffset = at;
      outcome.damage = why;
    }
    parts = [];
    recordStart = -1;
    if (why === 'zero bytes' && atEof) return true;
    switch (mode) {
      case 'skip-any-corrupted':
        return false;
      case 'point-in-time':
        outcome.truncated = true;
        return true;
      case 'tolerate-corrupted-tail': {
        // Only this mode asks whether an intact record follows (a scan of the rest of the file): it is asked at
        // most once per file, because its answer ends the read either way.
        const torn = (atEof || !tornOnlyByTruncation) && !intactRecordFollows(buf, at);
        if (torn && isLastLog) {
          outcome.truncated = true;
          return true;
        }
        throw new CorruptionError(
          file,
          at,
          `log record damaged: ${why}${torn ? ' (torn tail of an older log)' : ''}`,
        );
      }
      case 'absolute-consistency':
        throw new CorruptionError(file, at, `log record damaged: ${why}`);
    }
  };

  while (p < buf.length) {
    const fragStart =
      p % LOG_BLOCK_SIZE > LOG_BLOCK_SIZE - LOG_HEADER_SIZE
        ? Math.ceil(p / LOG_BLOCK_SIZE) * LOG_BLOCK_SIZE
        : p;
    const f = readFragment(buf, p);
    if (f === undefined) break;
    if (!f.ok) {
      if (f.why === 'zero bytes' && parts.length === 0 && !f.atEof) {
        p = f.next;
        continue;
      }
      if (damage(fragStart, f.why, f.atEof)) break;
      p = f.next;
      continue;
    }
    const frag = buf.subarray(f.start, f.end);
    switch (f.type) {
      case FragmentType.Full:
        if (parts.length > 0 && damage(recordStart, 'record ended without its last fragment', false))
          return outcome;
        parts = [];
        onRecord({ data: frag, offset: fragStart });
        break;
      case FragmentType.First:
        if (parts.length > 0 && damage(recordStart, 'record ended without its last fragment', false))
          return outcome;
        parts = [frag];
        recordStart = fragStart;
        break;
      case FragmentType.Middle:
      case FragmentType.Last:
        if (parts.length === 0) {
          if (damage(fragStart, 'fragment without a first fragment', false)) return outcome;
          break;
        }
        parts.push(frag);
        if (f.type === FragmentType.Last) {
          onRecord({ data: Buffer.concat(parts), offset: recordStart });
          parts = [];
          recordStart = -1;
        }
        break;
    }
    p = f.next;
  }
  if (parts.length > 0) damage(recordStart, 'record cut off at end of file', true);
  return outcome;
}
