// BlockIndex parses any index block in the entry format, not only the restart-interval-1 blocks our builder
// writes: keys that share bytes with the previous key (including its trailer), 0x00/0xff bytes, keys that are
// prefixes of each other. Damaged entries and handles are CorruptionError at the index block's offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockBuilder } from './block-builder.js';
import { BlockIndex } from './block-index.js';
import { CorruptionError } from '../errors/errors.js';

function handle(off: number, size: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(off % 2 ** 32, 0);
  b.writeUInt32LE(Math.floor(off / 2 ** 32), 4);
  b.writeUInt32LE(size, 8);
  return b;
}

function plainFind(keys: string[], trailers: number[], key: string, trailer: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key || (keys[mid] === key && trailers[mid]! > trailer)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byte = fc.oneof(fc.constantFrom(0, 1, 0x30, 0xfe, 0xff), fc.integer({ min: 0, max: 255 }));
const binary = fc.array(byte, { maxLength: 14 }).map((b) => String.fromCharCode(...b));

test('BlockIndex returns the keys, trailers and handles of blocks built at any restart interval', () => {
  fc.assert(
    fc.property(
      binary,
      fc.uniqueArray(binary, { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 1, max: 16 }),
      fc.array(fc.tuple(binary, fc.integer({ min: 0, max: 2 ** 30 })), { maxLength: 40 }),
      (prefix, tails, interval, probes) => {
        const keys = tails.map((t) => prefix + t).sort();
        const trailers = keys.map((_, i) => (500 + i) * 256 + 1);
        const builder = new BlockBuilder(interval);
        keys.forEach((k, i) => {
          const h = handle(i * 100, 95);
          builder.add(k, trailers[i]!, h, 0, h.length);
        });
        const block = builder.finish();
        const index = new BlockIndex(Buffer.from(block), keys.length * 100, 'x.sst', 7);
        assert.equal(index.length, keys.length);
        keys.forEach((k, i) => {
          assert.equal(index.key(i), k);
          assert.equal(index.trailers[i], trailers[i]);
          assert.equal(index.offsets[i], i * 100);
          assert.equal(index.sizes[i], 95);
        });
        const targets = probes.map(([t, seq]) => [prefix + t, seq * 256 + 1] as const);
        for (const [t, seq] of probes) targets.push([t, seq]);
        for (const k of keys) targets.push([k, 0], [k, 2 ** 40]);
        for (const [key, trailer] of targets)
          assert.equal(
            index.find(key, trailer),
            plainFind(keys, trailers, key, trailer),
            JSON.stringify(key),
          );
      },
    ),
    { numRuns: 300 },
  );
});

test('BlockIndex reports a damaged entry or handle as CorruptionError at the block offset', () => {
  const keys = ['apple', 'banana', 'cherry'];
  const build = (values: Buffer[]): Buffer => {
    const b = new BlockBuilder(1);
    keys.forEach((k, i) => b.add(k, 256 + 1, values[i]!, 0, values[i]!.length));
    return Buffer.from(b.finish());
  };
  const good = [handle(0, 10), handle(15, 10), handle(30, 10)];
  assert.equal(new BlockIndex(build(good), 45, 'i.sst', 99).length, 3);
  const cases: [string, Buffer, RegExp][] = [
    ['a handle past the data', build([handle(0, 10), handle(15, 10), handle(30, 11)]), /beyond end of data/],
    [
      'a value that is not a handle',
      build([handle(0, 10), Buffer.alloc(11), handle(30, 10)]),
      /handle in index/,
    ],
  ];
  const truncated = build(good);
  truncated[0] = 0x7f; // the first entry claims 127 shared bytes
  cases.push(['a shared length past the previous key', truncated, /bad block entry/]);
  for (const [what, block, message] of cases) {
    assert.throws(
      () => new BlockIndex(block, 45, 'i.sst', 99),
      (err: unknown) =>
        err instanceof CorruptionError &&
        err.file === 'i.sst' &&
        err.offset === 99 &&
        message.test(err.message),
      what,
    );
  }
});
