// BlockIndex parses any index block in the entry format, not only the restart-interval-1 blocks our builder
// writes: keys that share bytes with the previous key (including its trailer), 0x00/0xff bytes, keys that are
// prefixes of each other. Damaged entries and handles are CorruptionError at the index block's offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockBuilder } from './block-builder.js';
import { BlockIndex, buffersOf } from './block-index.js';
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
        const index = BlockIndex.parse(Buffer.from(block), keys.length * 100, 'x.sst', 7);
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
  assert.equal(BlockIndex.parse(build(good), 45, 'i.sst', 99).length, 3);
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
      () => BlockIndex.parse(block, 45, 'i.sst', 99),
      (err: unknown) =>
        err instanceof CorruptionError &&
        err.file === 'i.sst' &&
        err.offset === 99 &&
        message.test(err.message),
      what,
    );
  }
});

test('BlockIndex parts move to another thread without a copy and rebuild the same index', () => {
  const keys = Array.from({ length: 300 }, (_, i) => `user${String(i * 7).padStart(6, '0')}\x00\xff`);
  const builder = new BlockBuilder(1);
  keys.forEach((k, i) => {
    const h = handle(i * 100, 95);
    builder.add(k, (i + 1) * 256 + 1, h, 0, h.length);
  });
  const parsed = BlockIndex.parse(Buffer.from(builder.finish()), keys.length * 100, 'x.sst', 0);
  const parts = parsed.parts();
  const moved = structuredClone(parts, { transfer: buffersOf(parts) });
  assert.equal(
    parts.offsets.byteLength,
    0,
    'the sender no longer holds the arrays (transferred, not copied)',
  );
  assert.equal(parts.keyBytes.byteLength, 0);
  const index = BlockIndex.fromParts(moved);
  assert.equal(index.length, keys.length);
  keys.forEach((k, i) => {
    assert.equal(index.key(i), k);
    assert.equal(index.find(k, 2 ** 40), i);
    assert.equal(index.find(k + '\x00', 0), i + 1);
  });
  assert.equal(index.find('user', 0), 0);
  assert.equal(index.find('zzz', 0), keys.length);
});
