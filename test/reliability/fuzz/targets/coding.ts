// varint and fixed-width integers (src/util/coding.ts) against the reference decoders, and round trips of
// random values below 2^53. getVarint must return the reference value and next offset, or -1 and leave the
// cursor alone; getFixed64 must equal the exact little-endian value rounded to a double.
import type { Rng } from '../../../../src/testing/index.js';
import {
  getFixed32,
  getFixed64,
  getVarint,
  putFixed32,
  putFixed64,
  putVarint,
  varintLength,
} from '../../../../src/util/coding.js';
import { randomBytes } from '../mutate.js';
import { refFixed64, refVarint } from '../reference.js';
import { hex, oracle, target } from '../target.js';

interface Input {
  bytes: Buffer;
  pos: number;
  limit: number;
  value: number;
}

export const varintTarget = target<Input>({
  name: 'varint',
  make(rng: Rng): Input {
    let bytes: Buffer;
    if (rng.int(2) === 0) {
      bytes = randomBytes(rng, 24);
    } else {
      bytes = Buffer.alloc(16);
      const v = Math.floor(rng.next() * 2 ** (1 + rng.int(56)));
      const n = putVarint(bytes, rng.int(4), Math.min(v, 2 ** 53 - 1));
      bytes = bytes.subarray(0, rng.int(3) === 0 ? rng.int(n + 1) : n);
    }
    const pos = rng.int(bytes.length + 1);
    const limit = rng.int(4) === 0 ? pos + rng.int(bytes.length - pos + 1) : bytes.length;
    return { bytes, pos, limit, value: Math.floor(rng.next() * 2 ** (1 + rng.int(53))) };
  },
  exec({ bytes, pos, limit, value }) {
    const cur = { pos: -7 };
    const got = getVarint(bytes, pos, limit, cur);
    const want = refVarint(bytes, pos, limit);
    if (want === undefined)
      oracle(got === -1 && cur.pos === -7, () => `getVarint = ${got} (pos ${cur.pos}), want -1`);
    else
      oracle(
        got === want.value && cur.pos === want.next,
        () => `getVarint = ${got} next ${cur.pos}, want ${want.value} next ${want.next}`,
      );
    if (pos + 8 <= bytes.length) {
      const f = getFixed64(bytes, pos);
      oracle(f === refFixed64(bytes, pos), () => `getFixed64 = ${f}, want ${refFixed64(bytes, pos)}`);
    }
    const buf = Buffer.alloc(16);
    const end = putVarint(buf, 1, value);
    oracle(end - 1 === varintLength(value), () => `putVarint(${value}) wrote ${end - 1} bytes`);
    const c = { pos: 0 };
    oracle(getVarint(buf, 1, end, c) === value && c.pos === end, () => `varint round trip of ${value}`);
    putFixed64(buf, 3, value);
    oracle(getFixed64(buf, 3) === value, () => `fixed64 round trip of ${value}`);
    putFixed32(buf, 2, value % 2 ** 32);
    oracle(getFixed32(buf, 2) === value % 2 ** 32, () => `fixed32 round trip of ${value % 2 ** 32}`);
    return got < 0 ? 'rejected' : 'accepted';
  },
  show: ({ bytes, pos, limit, value }) => `${hex(bytes)} pos ${pos} limit ${limit} value ${value}`,
});
