import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockBuilder } from './block-builder.js';
import { decodeBlock, decodeBlockFrom, seekInBlock, type SeekResult } from './block.js';

// seekInBlock skips byte comparisons using what the previous key had in common with the target. This pins it
// to the decoded block searched naively, on keys sharing long prefixes, keys that are prefixes of others,
// several versions of one key, 0x00 and 0xff bytes, and targets between, equal to and outside the keys.
const keyByte = fc.constantFrom(0, 1, 0x61, 0x62, 0xfe, 0xff);
const userKey = fc.array(keyByte, { maxLength: 6 }).map((b) => String.fromCharCode(...b));
/** Distinct (user key, trailer) entries, at least one. */
const blockEntries = fc.uniqueArray(fc.tuple(userKey, fc.integer({ min: 0, max: 2 ** 30 })), {
  minLength: 1,
  maxLength: 80,
  selector: ([k, t]) => `${k}\u0100${t}`,
});

/** Sorts `entries` into internal order (user key ascending, trailer descending) and builds their block. */
function buildBlock(entries: [string, number][], restartInterval: number): Buffer {
  entries.sort(([a, ta], [b, tb]) => (a < b ? -1 : a > b ? 1 : tb - ta));
  const bb = new BlockBuilder(restartInterval);
  const value = Buffer.from('value');
  entries.forEach(([k, t], i) => bb.add(k, t, value, 0, 1 + (i % 5)));
  return bb.finish();
}

test('seekInBlock finds exactly the first entry >= (target, seekTrailer) when its user key is target', () => {
  fc.assert(
    fc.property(
      blockEntries,
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.tuple(userKey, fc.integer({ min: 0, max: 2 ** 30 })), { maxLength: 40 }),
      (entries, restartInterval, probes) => {
        const block = buildBlock(entries, restartInterval);
        const decoded = decodeBlock(block, 0, block.length, true, 'f', 0);
        const targets = [...probes, ...entries, ...entries.map(([k, t]) => [k, t + 1] as [string, number])];
        for (const [target, trailer] of targets) {
          let j = 0;
          while (
            j < decoded.keys.length &&
            (decoded.keys[j]! < target || (decoded.keys[j] === target && decoded.trailers[j]! > trailer))
          )
            j++;
          const expectFound = j < decoded.keys.length && decoded.keys[j] === target;
          const out: SeekResult = { trailer: 0, valueOffset: 0, valueLength: 0 };
          const found = seekInBlock(block, 0, block.length, target, trailer, out, 'f', 0);
          assert.equal(found, expectFound, `target ${JSON.stringify(target)} trailer ${trailer}`);
          if (found) {
            assert.equal(out.trailer, decoded.trailers[j]);
            assert.equal(out.valueOffset, decoded.valueOffsets[j]);
            assert.equal(out.valueLength, decoded.valueLengths[j]);
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('decodeBlockFrom returns a suffix of the decoded block holding every entry >= (target, seekTrailer)', () => {
  fc.assert(
    fc.property(
      blockEntries,
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.tuple(userKey, fc.integer({ min: -1, max: 2 ** 30 })), { maxLength: 40 }),
      (entries, restartInterval, probes) => {
        const block = buildBlock(entries, restartInterval);
        const whole = decodeBlock(block, 0, block.length, true, 'f', 0);
        assert.equal(whole.partial, false);
        const targets = [...probes, ...entries, ...entries.map(([k]) => [k, Infinity] as [string, number])];
        for (const [target, trailer] of targets) {
          const part = decodeBlockFrom(block, 0, block.length, target, trailer, 'f', 0);
          const skip = whole.keys.length - part.keys.length;
          const what = `target ${JSON.stringify(target)} trailer ${trailer}`;
          assert.equal(part.partial, skip > 0, what);
          assert.deepEqual(part.keys, whole.keys.slice(skip), what);
          assert.deepEqual(part.trailers, whole.trailers.slice(skip), what);
          assert.deepEqual(part.valueOffsets, whole.valueOffsets.slice(skip), what);
          // Every skipped entry is < (target, trailer); and decoding starts at a restart point.
          for (let j = 0; j < skip; j++) {
            const k = whole.keys[j]!;
            assert.ok(k < target || (k === target && whole.trailers[j]! > trailer), what);
          }
          assert.equal(skip % restartInterval, 0, what);
        }
      },
    ),
    { numRuns: 400 },
  );
});
