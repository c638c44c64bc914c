// Whole tables through TableReader (src/sstable/table-reader.ts): footer, block handles in the index and the
// metaindex, the properties block, the bloom filter, data blocks. One target per region: the mutation lands
// in that region, and most of the time its checksum is repaired afterwards (the block trailer's CRC, or the
// footer's), so that the decoders behind the CRC see the damage. Then: open, a point lookup of every corpus
// key and of random keys, every data block decoded, verifyAll. Unmutated tables must return every value.
import type { Rng } from '../../../../src/testing/index.js';
import type { RandomAccessFile } from '../../../../src/fs/index.js';
import { TableReader } from '../../../../src/sstable/table-reader.js';
import { BlockCache } from '../../../../src/sstable/block-cache.js';
import { bloomHash } from '../../../../src/util/bloom.js';
import { LookupResult } from '../../../../src/keys/lookup-result.js';
import { maskedCrc } from '../../../../src/util/checksum.js';
import { putFixed32 } from '../../../../src/util/coding.js';
import { regionKind, sstRegions, type Region } from '../../corruption/layout.js';
import { measure } from '../alloc-meter.js';
import type { Corpus } from '../corpus.js';
import { mutate } from '../mutate.js';
import { attempt, hex, oracle, target, type FuzzTarget } from '../target.js';

/** A RandomAccessFile over a Buffer (reads past the end are short). */
class BufferFile implements RandomAccessFile {
  readonly size: number;
  readonly #b: Buffer;
  constructor(b: Buffer) {
    this.#b = b;
    this.size = b.length;
  }
  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (position >= this.size) return 0;
    const n = Math.min(length, this.size - position);
    buffer.set(this.#b.subarray(position, position + n), offset);
    return n;
  }
  close(): void {}
}

interface TableInput {
  table: number;
  bytes: Buffer;
  mutated: boolean;
  probes: string[];
  cached: boolean;
}

const FOOTER = 40;
const TRAILER = 5;

/** Recomputes the CRC in the trailer of the block whose contents are b[start, start + size). */
function repairBlock(b: Buffer, start: number, size: number): void {
  if (start + size + TRAILER > b.length) return;
  putFixed32(b, start + size + 1, maskedCrc(b, start, start + size + 1)); // contents ++ codec byte
}
/** Recomputes the footer's CRC. */
function repairFooter(b: Buffer): void {
  if (b.length < FOOTER) return;
  const at = b.length - FOOTER;
  putFixed32(b, at + 28, maskedCrc(b, at, at + 28));
}

const REGIONS = ['footer', 'index', 'metaindex', 'properties', 'filter', 'data'] as const;
type RegionKind = (typeof REGIONS)[number];

const regionCache = new WeakMap<Buffer, Region[]>();
function regionsOf(b: Buffer): Region[] {
  let r = regionCache.get(b);
  if (r === undefined) regionCache.set(b, (r = sstRegions(b)));
  return r;
}

function makeTable(kind: RegionKind, rng: Rng, c: Corpus): TableInput {
  const table = rng.int(c.tables.length);
  const t = c.tables[table]!;
  const keys = [...t.expect.keys()];
  const probes = [...keys, ...Array.from({ length: 4 }, () => rng.bytes(1 + rng.int(8)).toString('latin1'))];
  const cached = rng.int(2) === 0;
  if (rng.int(20) === 0) return { table, bytes: Buffer.from(t.bytes), mutated: false, probes, cached };
  const regions = regionsOf(t.bytes).filter((r) => regionKind(r.name) === kind);
  if (regions.length === 0) return { table, bytes: Buffer.from(t.bytes), mutated: false, probes, cached };
  const r = rng.pick(regions);
  const inPlace = rng.int(5) !== 0;
  const part = mutate(rng, t.bytes.subarray(r.start, r.end), [], inPlace);
  const bytes = Buffer.concat([t.bytes.subarray(0, r.start), part, t.bytes.subarray(r.end)]);
  if (inPlace && rng.int(5) !== 0) {
    if (kind === 'footer') repairFooter(bytes);
    else repairBlock(bytes, r.start, r.end - r.start - TRAILER);
  }
  return { table, bytes, mutated: true, probes, cached };
}

const cache = new BlockCache(256 * 1024);
let cacheReady = false;

function execTable(
  { table, bytes, mutated, probes, cached }: TableInput,
  c: Corpus,
): 'accepted' | 'rejected' {
  if (!cacheReady) {
    cache.reserve(0, -1, 8); // the arena, allocated once outside the meter
    cache.clear();
    cacheReady = true;
  }
  const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
  const size = bytes.length;
  let reader: TableReader | undefined;
  const open = (): TableReader =>
    TableReader.open(new BufferFile(bytes), 7, '000007.sst', cached ? cache : undefined, counters);
  if (!attempt(() => (reader = measure(size, open)), size)) return 'rejected';
  const t = reader!;
  let clean = true;
  try {
    const expect = c.tables[table]!.expect;
    const out: { value: Buffer | undefined } = { value: undefined };
    for (const key of probes) {
      out.value = undefined;
      let r: LookupResult | undefined;
      clean =
        attempt(() => (r = measure(size, () => t.get(key, 2 ** 44 * 256 + 1, bloomHash(key), out))), size) &&
        clean;
      if (!mutated && expect.has(key)) {
        const want = expect.get(key);
        const value = (out.value as Buffer | undefined)?.toString('latin1');
        oracle(
          want === null ? r === LookupResult.Deleted : r === LookupResult.Found && value === want,
          () =>
            `get of an intact table returned ${r} ${value} for key ${Buffer.from(key, 'latin1').toString('hex')}`,
        );
      }
    }
    for (let i = 0; i < t.blockCount; i++)
      clean = attempt(() => measure(size, () => t.decodeDataBlock(i)), size) && clean;
    clean = attempt(() => measure(size, () => t.verifyAll()), size) && clean;
    oracle(mutated || clean, () => 'an intact table was rejected');
  } finally {
    t.unref();
  }
  return clean ? 'accepted' : 'rejected';
}

function tableTarget(kind: RegionKind): FuzzTarget<unknown> {
  return target<TableInput>({
    name: `table-${kind}`,
    make: (rng, c) => makeTable(kind, rng, c),
    exec: execTable,
    show: ({ table, bytes, cached }) => `corpus table ${table}, cache ${cached}: ${hex(bytes, 4096)}`,
  });
}

export const tableTargets = REGIONS.map(tableTarget);
