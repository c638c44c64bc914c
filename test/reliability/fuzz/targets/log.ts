// The log reader (src/wal/log-reader.ts) and write batches (src/batch/batch-reader.ts, then
// Memtable.addBatch as recovery does).
//   wal: corpus logs (some spanning blocks), mutated, CRCs repaired half of the time, read in every
//        walRecoveryMode, as the last log or not, with and without the MANIFEST rule. An intact log yields
//        exactly its records. Records come in file order, inside the file.
//   write-batch: corpus batches, mutated; an intact batch visits exactly its operations; a visited batch
//        has in-bounds, ordered ranges and as many records as its count, and a memtable takes it.
import type { WalRecoveryMode } from '../../../../src/index.js';
import type { Rng } from '../../../../src/testing/index.js';
import { readLogFile } from '../../../../src/wal/log-reader.js';
import { visitBatch } from '../../../../src/batch/batch-reader.js';
import { Memtable } from '../../../../src/memtable/memtable.js';
import { maskedCrc } from '../../../../src/util/checksum.js';
import { getFixed32, putFixed32 } from '../../../../src/util/coding.js';
import { measure } from '../alloc-meter.js';
import type { BatchOp, Corpus } from '../corpus.js';
import { mutate, randomBytes } from '../mutate.js';
import { attempt, hex, oracle, target } from '../target.js';

const BLOCK = 32768;
const HEADER = 7;

/**
 * Walks the fragments of a (possibly damaged) log as the framing says, trusting each length, and rewrites
 * the CRC of every fragment that fits in its block and in the file.
 */
export function repairLogCrcs(b: Buffer): void {
  let p = 0;
  while (p + HEADER <= b.length) {
    const left = BLOCK - (p % BLOCK);
    if (left < HEADER) {
      p += left;
      continue;
    }
    const len = b[p + 4]! | (b[p + 5]! << 8);
    const end = p + HEADER + len;
    if (end > b.length || len > left - HEADER) {
      p += left;
      continue;
    }
    if (!(len === 0 && b[p + 6] === 0 && getFixed32(b, p) === 0)) putFixed32(b, p, maskedCrc(b, p + 6, end));
    p = end;
  }
}

const recordsByLength = new WeakMap<Corpus, Map<number, Buffer[]>>();
function corpusRecords(c: Corpus): Map<number, Buffer[]> {
  let m = recordsByLength.get(c);
  if (m === undefined) {
    m = new Map();
    for (const l of c.logs) for (const r of l.records) m.set(r.length, [...(m.get(r.length) ?? []), r]);
    recordsByLength.set(c, m);
  }
  return m;
}

/**
 * 64 to 256 KiB of back-to-back fragment headers that are all damage (a bad type, or a checksum that does
 * not match): the worst case for the reader's search for an intact record after damage.
 */
export function damagedFragments(rng: Rng): Buffer {
  const b = Buffer.alloc((64 + rng.int(193)) * 1024);
  const type = rng.pick([5, 7, 0xff, 1]);
  const len = rng.pick([0, 1, 9]);
  for (let p = 0; p + HEADER + len <= b.length; p += HEADER + len) {
    if (BLOCK - (p % BLOCK) < HEADER + len) p += BLOCK - (p % BLOCK);
    if (p + HEADER + len > b.length) break;
    b.writeUInt32LE(rng.int(2 ** 32), p);
    b[p + 4] = len;
    b[p + 6] = type;
  }
  return b;
}

const MODES: readonly WalRecoveryMode[] = [
  'tolerate-corrupted-tail',
  'absolute-consistency',
  'point-in-time',
  'skip-any-corrupted',
];

interface WalInput {
  bytes: Buffer;
  records: Buffer[] | undefined;
  /** The fragment CRCs were recomputed after the mutation. */
  repaired: boolean;
  mode: WalRecoveryMode;
  isLast: boolean;
  manifestRule: boolean;
}

export const walTarget = target<WalInput>({
  name: 'wal',
  make(rng: Rng, c: Corpus) {
    const log = rng.pick(c.logs);
    const mode = rng.pick(MODES);
    const isLast = rng.int(4) !== 0;
    const manifestRule = rng.int(5) === 0;
    const r = rng.int(10);
    if (r === 0) {
      const bytes = rng.int(50) === 0 ? damagedFragments(rng) : randomBytes(rng, 4096);
      return { bytes, records: undefined, repaired: true, mode, isLast, manifestRule };
    }
    if (r === 1)
      return {
        bytes: Buffer.from(log.bytes),
        records: log.records,
        repaired: false,
        mode,
        isLast,
        manifestRule,
      };
    const inPlace = rng.int(2) === 0;
    const bytes = mutate(
      rng,
      log.bytes,
      c.logs.map((l) => l.bytes),
      inPlace,
    );
    const repaired = inPlace && rng.int(2) === 0;
    if (repaired) repairLogCrcs(bytes);
    return { bytes, records: undefined, repaired, mode, isLast, manifestRule };
  },
  exec({ bytes, records, repaired, mode, isLast, manifestRule }, c) {
    const got: { data: Buffer; offset: number }[] = [];
    const ok = attempt(
      () =>
        measure(bytes.length, () =>
          readLogFile(
            bytes,
            '000009.log',
            mode,
            isLast,
            (r) => got.push({ data: Buffer.from(r.data), offset: r.offset }),
            manifestRule,
          ),
        ),
      bytes.length,
    );
    for (let i = 0; i < got.length; i++) {
      const r = got[i]!;
      oracle(
        r.offset >= 0 &&
          r.offset + HEADER + r.data.length <=
            bytes.length + HEADER * Math.ceil(r.data.length / (BLOCK - HEADER)) &&
          r.offset < bytes.length,
        () => `record ${i} at ${r.offset} lies outside the file`,
      );
      oracle(
        i === 0 || r.offset > got[i - 1]!.offset,
        () => `record ${i} at ${r.offset} is not after record ${i - 1}`,
      );
    }
    if (!repaired) {
      // Without repaired CRCs, damage never changes a record: each one read is a record some corpus log holds.
      const known = corpusRecords(c);
      got.forEach((r, i) =>
        oracle(
          known.get(r.data.length)?.some((x) => x.equals(r.data)),
          () => `record ${i} at ${r.offset} is not one written`,
        ),
      );
    }
    if (records !== undefined) {
      oracle(ok, () => 'an intact log was rejected');
      oracle(
        got.length === records.length && got.every((r, i) => r.data.equals(records[i]!)),
        () => `an intact log read as ${got.length} records, not ${records.length}`,
      );
    }
    return ok ? 'accepted' : 'rejected';
  },
  show: ({ bytes, mode, isLast, manifestRule }) =>
    `${mode} last=${isLast} manifestRule=${manifestRule}: ${hex(bytes, 2048)}`,
});

let mem = new Memtable(9);

interface BatchInput {
  rep: Buffer;
  ops: BatchOp[] | undefined;
}

export const writeBatchTarget = target<BatchInput>({
  name: 'write-batch',
  make(rng, c) {
    const pick = rng.pick(c.batches);
    const r = rng.int(10);
    if (r === 0) return { rep: randomBytes(rng, 512), ops: undefined };
    if (r === 1) return { rep: Buffer.from(pick.rep), ops: pick.ops };
    return {
      rep: mutate(
        rng,
        pick.rep,
        c.batches.map((b) => b.rep),
      ),
      ops: undefined,
    };
  },
  exec({ rep, ops }) {
    const seen: { kind: number; k: [number, number]; v: [number, number] }[] = [];
    const ok = attempt(
      () =>
        measure(rep.length, () =>
          visitBatch(rep, rep.length, '000009.log', 0, (kind, ks, ke, vs, ve) =>
            seen.push({ kind, k: [ks, ke], v: [vs, ve] }),
          ),
        ),
      0,
    );
    if (ops !== undefined) {
      oracle(ok, () => 'an intact batch was rejected');
      oracle(
        seen.length === ops.length &&
          seen.every(
            (s, i) =>
              s.kind === ops[i]!.kind &&
              rep.subarray(s.k[0], s.k[1]).equals(ops[i]!.key) &&
              rep.subarray(s.v[0], s.v[1]).equals(ops[i]!.value),
          ),
        () => 'an intact batch visited other operations',
      );
    }
    if (!ok) return 'rejected';
    let last = 12;
    for (const s of seen) {
      oracle(
        s.k[0] >= last && s.k[0] < s.k[1] && s.k[1] <= s.v[0] && s.v[0] <= s.v[1] && s.v[1] <= rep.length,
        () => 'a visited range is out of order or out of bounds',
      );
      last = s.v[1];
    }
    oracle(
      seen.length === rep.readUInt32LE(8),
      () => `visited ${seen.length} records, the count says ${rep.readUInt32LE(8)}`,
    );
    // The memtable trusts a batch visitBatch accepted (recovery's order); not metered: it allocates 1 MiB slabs.
    if (mem.approximateBytes > 16 << 20) mem = new Memtable(9);
    const before = mem.entryCount;
    mem.addBatch(Buffer.from(rep), rep.length, 1);
    oracle(
      mem.entryCount - before === seen.length,
      () => `the memtable took ${mem.entryCount - before} of ${seen.length} records`,
    );
    return 'accepted';
  },
  show: ({ rep }) => hex(rep, 1024),
});
