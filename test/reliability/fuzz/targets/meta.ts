// The bloom filter reader (src/sstable/bloom.ts) and the properties decoder (src/sstable/properties.ts).
//   bloom: a filter built from random keys answers "may contain" for each of them (no false negative),
//          before any mutation; a mutated or random filter answers a boolean, whatever its bytes.
//   properties: (name, value) pairs from corpus tables, mutated (names swapped, values cut or extended,
//          pairs dropped or added); a decoded result holds every property, numbers as safe integers.
import { bloomHash, bloomMayContain, buildBloom } from '../../../../src/util/bloom.js';
import { decodeProperties } from '../../../../src/sstable/properties.js';
import { measure } from '../alloc-meter.js';
import { mutate, randomBytes } from '../mutate.js';
import { attempt, hex, oracle, target } from '../target.js';

interface BloomInput {
  keys: string[];
  bitsPerKey: number;
  mutateSeed: Buffer | undefined;
  probes: number[];
  random: Buffer | undefined;
}

export const bloomTarget = target<BloomInput>({
  name: 'bloom',
  make(rng) {
    const keys = Array.from({ length: rng.int(200) }, () => rng.bytes(1 + rng.int(12)).toString('latin1'));
    const random = rng.int(5) === 0 ? randomBytes(rng, 512) : undefined;
    return {
      keys,
      bitsPerKey: 1 + rng.int(40),
      mutateSeed: rng.int(2) === 0 ? rng.bytes(8) : undefined,
      probes: Array.from({ length: 16 }, () => rng.int(2 ** 32)),
      random,
    };
  },
  exec({ keys, bitsPerKey, mutateSeed, probes, random }) {
    let filter: Buffer;
    if (random !== undefined) filter = random;
    else {
      const hashes = Uint32Array.from(keys, bloomHash);
      filter = buildBloom(hashes, hashes.length, bitsPerKey);
      for (const k of keys)
        oracle(
          bloomMayContain(filter, 0, filter.length, bloomHash(k)),
          () => `false negative for a member (${bitsPerKey} bits/key)`,
        );
      if (mutateSeed !== undefined) {
        // Same-size damage: a byte from the seed at a position from the seed (the k byte included).
        filter = Buffer.from(filter);
        filter[mutateSeed.readUInt32LE(0) % filter.length] = mutateSeed[4]!;
      }
    }
    const f = filter;
    for (const h of probes) {
      const r = measure(f.length, () => bloomMayContain(f, 0, f.length, h));
      oracle(typeof r === 'boolean', () => `bloomMayContain returned ${String(r)}`);
    }
    return 'accepted';
  },
  show: ({ keys, bitsPerKey, random }) =>
    random ? `filter ${hex(random)}` : `${keys.length} keys, ${bitsPerKey} bits/key`,
});

interface PropsInput {
  pairs: [string, Buffer][];
}

const NAMES = [
  'codec',
  'dataBlocks',
  'deletions',
  'entries',
  'formatVersion',
  'largestKey',
  'largestSeq',
  'largestTrailer',
  'rawKeyBytes',
  'rawValueBytes',
  'smallestKey',
  'smallestSeq',
  'smallestTrailer',
];

export const propertiesTarget = target<PropsInput>({
  name: 'properties',
  make(rng, c) {
    const pairs: [string, Buffer][] = rng.pick(c.properties).map(([k, v]) => [k, v]);
    const n = rng.int(4);
    for (let i = 0; i < n; i++) {
      const at = rng.int(pairs.length);
      switch (rng.int(5)) {
        case 0:
          pairs.splice(at, 1);
          break;
        case 1:
          pairs.push([rng.pick(NAMES), randomBytes(rng, 16)]);
          break;
        case 2:
          if (pairs[at]) pairs[at] = [pairs[at][0], mutate(rng, pairs[at][1], [])];
          break;
        case 3:
          if (pairs[at]) pairs[at] = [rng.pick(NAMES), pairs[at][1]];
          break;
        default:
          pairs.push([rng.bytes(rng.int(12)).toString('latin1'), randomBytes(rng, 16)]);
      }
    }
    return { pairs };
  },
  exec({ pairs }) {
    const bytes = pairs.reduce((n, [k, v]) => n + k.length + v.length, 0);
    let p: ReturnType<typeof decodeProperties> | undefined;
    if (!attempt(() => (p = measure(bytes, () => decodeProperties(pairs, 'fuzz.sst', 0))), 0))
      return 'rejected';
    const props = p as unknown as Record<string, unknown>;
    for (const name of NAMES) {
      const v = props[name];
      const ok =
        name.endsWith('Key') || name === 'codec'
          ? typeof v === 'string'
          : Number.isInteger(v) && (v as number) >= 0;
      oracle(ok, () => `property ${name} decoded as ${String(v)}`);
    }
    return 'accepted';
  },
  show: ({ pairs }) => pairs.map(([k, v]) => `${JSON.stringify(k)}=${v.toString('hex')}`).join(' '),
});
