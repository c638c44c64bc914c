// What each damage may legitimately do: the states an open may show (harmless) and where a CorruptionError
// may point (detected); anything else is a failure. The full rule is docs/reliability.md "Corruption sweep";
// in short (d = the first damaged record, every fixture record synced):
//   - a detection is a CorruptionError naming the damaged file (or a file its damage makes missing) at an
//     integer offset >= -1; never another error, never a wrong value; a flip may also change nothing.
//   - last WAL, default mode: a flip in d followed by intact records is CorruptionError at a fragment of d;
//     a flip in the final record, and any cut, is a torn tail: records 0..d-1 (no error for a cut).
//   - last WAL, 'absolute-consistency': CorruptionError at d, except a cut at a record boundary (0..d-1).
//   - older WAL: any damage is CorruptionError; its records are never lost under a replayed newer WAL.
//   - tables, MANIFEST, CURRENT: CorruptionError or no visible change; a removed file is always detected.
import type { WalRecoveryMode } from '../../../src/index.js';
import type { Record as LogRecordSpan } from '../../recovery/wal-frames.js';
import type { Damage } from './damage.js';
import type { Fixture } from './fixtures.js';

export interface Expectation {
  /** Labels of the states a successful open may show. */
  allowed: ReadonlySet<string>;
  /** Undefined: detection is not allowed. Otherwise returns a problem with the error's file/offset, or ''. */
  detect: ((file: string, offset: number) => string) | undefined;
  /** The rule applied, quoted in failure messages. */
  rule: string;
  /** A truncation at a record boundary: the file reads as a shorter intact log; no reader can tell. */
  undetectable?: boolean;
}

const FINAL = 'final';

/** Index of the record holding byte `at` (header or payload of one of its fragments), or -1. */
function recordHolding(records: readonly LogRecordSpan[], at: number): number {
  return records.findIndex((r) => r.fragments.some((f) => at >= f.offset && at < f.offset + 7 + f.length));
}

/** Index of the first record not wholly inside a file cut to `length` bytes. */
function firstCutRecord(records: readonly LogRecordSpan[], length: number): number {
  return records.findIndex((r) => r.end > length);
}

const atFragments =
  (f: Fixture, r: LogRecordSpan) =>
  (file: string, offset: number): string => {
    if (file !== f.target) return `names ${file}, not the damaged ${f.target}`;
    const ok = r.fragments.map((x) => x.offset);
    return ok.includes(offset)
      ? ''
      : `offset ${offset} is not a fragment header of the damaged record (${ok})`;
  };

const inFile =
  (names: (file: string) => boolean, size: number) =>
  (file: string, offset: number): string => {
    if (!names(file)) return `names ${file}, which is neither the damaged file nor one its damage implies`;
    return Number.isInteger(offset) && offset >= -1 && offset <= size
      ? ''
      : `offset ${offset} outside the file`;
  };

export function expectationFor(f: Fixture, d: Damage, mode: WalRecoveryMode): Expectation {
  const only = (...labels: string[]): ReadonlySet<string> => new Set(labels);
  if (d.kind === 'remove') {
    const files = new Set(f.files);
    return {
      allowed: only(),
      detect: inFile((n) => files.has(n), Number.MAX_SAFE_INTEGER),
      rule: 'a removed file is detected',
    };
  }
  const size = f.bytes.length;
  switch (f.structure) {
    case 'sst':
      return {
        allowed: only(FINAL),
        detect: inFile((n) => n === f.target, size),
        rule: 'table damage: CorruptionError(table) when read, or no effect',
      };
    case 'manifest': {
      const implied = (n: string): boolean => n === f.target || /^\d{6,}\.(sst|log)$/.test(n);
      return {
        allowed: only(FINAL),
        detect: inFile(implied, size),
        rule: 'MANIFEST damage: CorruptionError(MANIFEST, or a file it requires), or no effect',
      };
    }
    case 'current':
      return {
        allowed: only(FINAL),
        detect: inFile((n) => n === 'CURRENT' || /^MANIFEST-\d+$/.test(n), Number.MAX_SAFE_INTEGER),
        rule: 'CURRENT damage: CorruptionError(CURRENT or the MANIFEST it names), or no effect',
      };
    case 'older-wal': {
      const recs = f.walRecords;
      if (d.kind === 'flip') {
        const i = recordHolding(recs, d.bit >> 3);
        if (i < 0) return { allowed: only(FINAL), detect: undefined, rule: 'bytes outside every record' };
        return {
          allowed: only(FINAL),
          detect: atFragments(f, recs[i]!),
          rule: `older WAL, flip in record ${i}: CorruptionError at that record`,
        };
      }
      const i = firstCutRecord(recs, d.length);
      const boundary = d.length <= recs[i]!.offset;
      return {
        allowed: only(FINAL),
        detect: boundary
          ? inFile((n) => /^\d{6,}\.log$/.test(n), Number.MAX_SAFE_INTEGER)
          : atFragments(f, recs[i]!),
        rule: `older WAL cut ${boundary ? 'at the start of' : 'inside'} record ${i}: CorruptionError, never silent loss`,
      };
    }
    case 'wal': {
      const recs = f.walRecords;
      const last = recs.length - 1;
      const prefix = (i: number): string => (i === recs.length ? FINAL : `prefix:${i}`);
      if (d.kind === 'flip') {
        const i = recordHolding(recs, d.bit >> 3);
        if (i < 0) return { allowed: only(FINAL), detect: undefined, rule: 'bytes outside every record' };
        if (mode === 'absolute-consistency')
          return {
            allowed: only(FINAL),
            detect: atFragments(f, recs[i]!),
            rule: `absolute-consistency, flip in record ${i}: CorruptionError at that record`,
          };
        if (i === last)
          return {
            allowed: only(prefix(i), FINAL),
            detect: undefined,
            rule: `flip in the final record ${i}: a torn tail, dropped`,
          };
        return {
          allowed: only(FINAL),
          detect: atFragments(f, recs[i]!),
          rule: `flip in record ${i} followed by intact records: CorruptionError at record ${i}`,
        };
      }
      const i = firstCutRecord(recs, d.length);
      const boundary = d.length <= recs[i]!.offset;
      if (mode === 'absolute-consistency' && !boundary)
        return {
          allowed: only(),
          detect: atFragments(f, recs[i]!),
          rule: `absolute-consistency, cut inside record ${i}: CorruptionError at that record`,
        };
      return {
        allowed: only(prefix(i)),
        detect: undefined,
        rule: `cut ${boundary ? 'at the start of' : 'inside'} record ${i}: the records before it, no error`,
        undetectable: boundary,
      };
    }
  }
}
