// Block contents (src/sstable/block.ts): decodeBlock against the reference decoder (same verdict, same
// entries), and seekInBlock, which on a well-formed sorted block must find what a linear search finds.
// Inputs: blocks cut from corpus tables (data, index, metaindex, properties), mutated or not, sometimes
// embedded at an offset inside a larger buffer; and random bytes.
import type { Rng } from '../../../../src/testing/index.js';
import { decodeBlock, seekInBlock } from '../../../../src/sstable/block.js';
import { measure } from '../alloc-meter.js';
import type { Corpus } from '../corpus.js';
import { mutate, randomBytes } from '../mutate.js';
import { refDecodeBlock, splitInternalKey, type RefBlock } from '../reference.js';
import { attempt, hex, oracle, target } from '../target.js';

interface BlockInput {
  buf: Buffer;
  start: number;
  end: number;
  trailers: boolean;
}

function makeBlock(rng: Rng, c: Corpus): BlockInput {
  const pick = rng.pick(c.blocks);
  let contents: Buffer;
  let trailers = pick.trailers;
  const r = rng.int(10);
  if (r === 0) {
    contents = randomBytes(rng);
    trailers = rng.int(2) === 0;
  } else if (r === 1) contents = Buffer.from(pick.contents);
  else
    contents = mutate(
      rng,
      pick.contents,
      c.blocks.map((b) => b.contents),
      rng.int(2) === 0,
    );
  if (rng.int(4) !== 0) return { buf: contents, start: 0, end: contents.length, trailers };
  const head = rng.bytes(rng.int(16));
  const buf = Buffer.concat([head, contents, rng.bytes(rng.int(16))]);
  return { buf, start: head.length, end: head.length + contents.length, trailers };
}

const FILE = 'fuzz.sst';

export const blockDecodeTarget = target<BlockInput>({
  name: 'block-decode',
  make: makeBlock,
  exec({ buf, start, end, trailers }) {
    const want = refDecodeBlock(buf, start, end, trailers);
    let got: ReturnType<typeof decodeBlock> | undefined;
    const ok = attempt(() => {
      got = measure(end - start, () => decodeBlock(buf, start, end, trailers, FILE, 0));
    }, 0);
    oracle(
      ok === (want !== undefined),
      () => `decodeBlock ${ok ? 'accepted' : 'rejected'}, the reference did not`,
    );
    if (got === undefined || want === undefined) return 'rejected';
    const d = got;
    oracle(
      d.keys.length === want.entries.length,
      () => `${d.keys.length} entries, want ${want.entries.length}`,
    );
    want.entries.forEach((e, i) => {
      const k = trailers ? splitInternalKey(e.key) : { user: e.key, trailer: -1 };
      oracle(
        d.keys[i] === k.user &&
          d.trailers[i] === k.trailer &&
          d.valueOffsets[i] === e.valueStart &&
          d.valueLengths[i] === e.valueLength,
        () => `entry ${i} differs from the reference`,
      );
    });
    return 'accepted';
  },
  show: ({ buf, start, end, trailers }) => `[${start}, ${end}) trailers ${trailers}: ${hex(buf, 512)}`,
});

interface SeekInput extends BlockInput {
  target: string;
  seekTrailer: number;
}

/** Internal-key order: user key ascending, trailer descending. */
function compare(a: { user: string; trailer: number }, b: { user: string; trailer: number }): number {
  if (a.user !== b.user) return a.user < b.user ? -1 : 1;
  return b.trailer - a.trailer;
}

/** Sorted entries, restart offsets exactly at shared-0 entries starting with 0: seekInBlock's precondition. */
function seekable(b: RefBlock): boolean {
  if (b.entries.length === 0 || b.restarts[0] !== 0) return false;
  const starts = new Map(b.entries.map((e, i) => [e.at, i] as const));
  let last = -1;
  for (const r of b.restarts) {
    const i = starts.get(r);
    if (i === undefined || i <= last || b.entries[i]!.shared !== 0) return false;
    last = i;
  }
  for (let i = 1; i < b.entries.length; i++) {
    if (compare(splitInternalKey(b.entries[i - 1]!.key), splitInternalKey(b.entries[i]!.key)) >= 0)
      return false;
  }
  return true;
}

export const blockSeekTarget = target<SeekInput>({
  name: 'block-seek',
  make(rng, c) {
    const b = makeBlock(rng, c);
    b.trailers = true;
    const ref = refDecodeBlock(b.buf, b.start, b.end, true);
    let targetKey = rng.bytes(rng.int(8)).toString('latin1');
    let seekTrailer = rng.int(2 ** 40) * 256 + 1;
    if (ref !== undefined && ref.entries.length > 0 && rng.int(4) !== 0) {
      const e = splitInternalKey(rng.pick(ref.entries).key);
      targetKey = rng.int(4) === 0 ? e.user + '\x00' : e.user;
      seekTrailer = rng.pick([e.trailer, e.trailer - 1, e.trailer + 1, 2 ** 52, 0]);
    }
    return { ...b, target: targetKey, seekTrailer };
  },
  exec({ buf, start, end, target: key, seekTrailer }) {
    const out = { trailer: -1, valueOffset: -1, valueLength: -1 };
    let found = false;
    const ok = attempt(() => {
      found = measure(end - start, () => seekInBlock(buf, start, end, key, seekTrailer, out, FILE, 0));
    }, 0);
    const ref = refDecodeBlock(buf, start, end, true);
    if (ref === undefined || !seekable(ref)) return ok ? 'accepted' : 'rejected';
    oracle(ok, () => 'seekInBlock rejected a well-formed block');
    const t = { user: key, trailer: seekTrailer };
    const e = ref.entries.find((x) => compare(splitInternalKey(x.key), t) >= 0);
    const hit = e !== undefined && splitInternalKey(e.key).user === key ? e : undefined;
    oracle(
      found === (hit !== undefined),
      () => `seekInBlock found=${found}, a linear search ${hit ? 'finds' : 'does not'}`,
    );
    if (hit !== undefined)
      oracle(
        out.trailer === splitInternalKey(hit.key).trailer &&
          out.valueOffset === hit.valueStart &&
          out.valueLength === hit.valueLength,
        () => 'seekInBlock found another entry than a linear search',
      );
    return 'accepted';
  },
  show: ({ buf, start, end, target: key, seekTrailer }) =>
    `target ${Buffer.from(key, 'latin1').toString('hex')} @${seekTrailer} in [${start}, ${end}): ${hex(buf, 512)}`,
});
