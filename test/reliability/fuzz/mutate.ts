// Input generators for every target: random bytes, degenerate patterns, and mutations of valid inputs
// (bit flips, interesting bytes and integers, varints, inserts, deletes, truncation, duplication, splices).
// Everything is drawn from the Rng passed in, so an input is a pure function of its seed.
import { putFixed32, putFixed64, putVarint } from '../../../src/util/coding.js';
import type { Rng } from '../../../src/testing/index.js';

const INTERESTING_BYTES = [0x00, 0x01, 0x07, 0x08, 0x7f, 0x80, 0x81, 0xfe, 0xff];
const INTERESTING_INTS = [
  0,
  1,
  2,
  7,
  8,
  12,
  40,
  127,
  128,
  255,
  256,
  4096,
  32767,
  32768,
  65535,
  65536,
  2 ** 30,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 45,
  2 ** 53 - 1,
];

/** Random bytes, or a degenerate pattern, of a length biased to small sizes (up to `max`). */
export function randomBytes(rng: Rng, max = 2048): Buffer {
  const len = rng.int(4) === 0 ? rng.int(max + 1) : rng.int(Math.min(max, 64) + 1);
  switch (rng.int(6)) {
    case 0:
      return Buffer.alloc(len, rng.pick(INTERESTING_BYTES));
    case 1: {
      // varint-heavy: continuation bits set on most bytes
      const b = rng.bytes(len);
      for (let i = 0; i < len; i++) if (rng.int(4) !== 0) b[i]! |= 0x80;
      return b;
    }
    default:
      return rng.bytes(len);
  }
}

/** A varint of a random value (sometimes over-long: 9 or 10 bytes of continuation). */
function varintBytes(rng: Rng): Buffer {
  const b = Buffer.alloc(12);
  if (rng.int(8) === 0) {
    const n = 9 + rng.int(2);
    for (let i = 0; i < n - 1; i++) b[i] = 0x80 | rng.int(128);
    b[n - 1] = rng.int(128);
    return b.subarray(0, n);
  }
  const v = rng.int(3) === 0 ? rng.pick(INTERESTING_INTS) : Math.floor(rng.next() * 2 ** (rng.int(53) + 1));
  return b.subarray(0, putVarint(b, 0, v));
}

/** One mutation of `b` (a new Buffer; `b` is not changed). `donors` supply splices. */
export function mutateOnce(rng: Rng, b: Buffer, donors: readonly Buffer[], sameSize = false): Buffer {
  const out = Buffer.from(b);
  const n = out.length;
  if (n === 0) return sameSize ? out : rng.int(2) === 0 ? varintBytes(rng) : rng.bytes(1 + rng.int(16));
  const op = sameSize ? rng.int(5) : rng.int(11);
  const at = rng.int(n);
  switch (op) {
    case 0:
      out[at]! ^= 1 << rng.int(8);
      return out;
    case 1:
      out[at] = rng.pick(INTERESTING_BYTES);
      return out;
    case 2:
      out[at] = rng.int(256);
      return out;
    case 3: {
      // an interesting fixed32 or fixed64, when it fits
      const v = rng.pick(INTERESTING_INTS);
      if (rng.int(2) === 0 && at + 4 <= n) putFixed32(out, at, v % 2 ** 32);
      else if (at + 8 <= n) putFixed64(out, at, v);
      else out[at] = v & 0xff;
      return out;
    }
    case 4: {
      // a varint written over existing bytes
      const v = varintBytes(rng);
      out.set(v.subarray(0, Math.min(v.length, n - at)), at);
      return out;
    }
    case 5:
      return Buffer.concat([out.subarray(0, at), varintBytes(rng), out.subarray(at)]);
    case 6:
      return Buffer.concat([out.subarray(0, at), rng.bytes(1 + rng.int(16)), out.subarray(at)]);
    case 7:
      return Buffer.concat([out.subarray(0, at), out.subarray(Math.min(n, at + 1 + rng.int(32)))]);
    case 8:
      return out.subarray(0, rng.int(n + 1));
    case 9: {
      // duplicate a range somewhere else
      const from = rng.int(n);
      const len = 1 + rng.int(Math.min(64, n - from));
      return Buffer.concat([out.subarray(0, at), out.subarray(from, from + len), out.subarray(at)]);
    }
    default: {
      // splice: our head, a donor's tail
      if (donors.length === 0) return out;
      const d = rng.pick(donors);
      return Buffer.concat([out.subarray(0, at), d.subarray(rng.int(d.length + 1))]);
    }
  }
}

/** 1 to 4 mutations (mostly 1). */
export function mutate(rng: Rng, b: Buffer, donors: readonly Buffer[], sameSize = false): Buffer {
  let out = b;
  const count = rng.int(3) === 0 ? 1 + rng.int(4) : 1;
  for (let i = 0; i < count; i++) out = mutateOnce(rng, out, donors, sameSize);
  return out;
}
