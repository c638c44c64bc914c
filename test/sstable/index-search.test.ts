// The index search compares a numeric window of each index key after the prefix all index keys share, and
// compares strings only on ties (table-reader.ts). This pins it to the plain binary search over strings and
// trailers, for tables whose keys share long prefixes, differ only after the window, are prefixes of each
// other, or hold 0x00 and 0xff bytes, and for targets inside and outside the shared prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { TableBuilder } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';

function plainFindBlock(keys: string[], trailers: number[], key: string, trailer: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid]!;
    if (k < key || (k === key && trailers[mid]! > trailer)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const keysOf = (r: TableReader): string[] => Array.from({ length: r.index.length }, (_, i) => r.index.key(i));

const byte = fc.oneof(fc.constantFrom(0, 1, 0x30, 0x31, 0xfe, 0xff), fc.integer({ min: 0, max: 255 }));
const tail = fc.array(byte, { maxLength: 12 }).map((b) => String.fromCharCode(...b));

test('TableReader.findBlock agrees with a plain string binary search', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 10 }).map((s) => Buffer.from(s).toString('latin1')),
      fc.uniqueArray(tail, { minLength: 1, maxLength: 120 }),
      fc.array(fc.tuple(fc.boolean(), tail, fc.integer({ min: 0, max: 2 ** 20 })), { maxLength: 60 }),
      (prefix, tails, probes) => {
        const keys = tails.map((t) => prefix + t).sort();
        const fs = new MemoryFileSystem();
        fs.mkdir('/t');
        const file = fs.create('/t/1.sst');
        const b = new TableBuilder(file, {
          blockSize: 64,
          restartInterval: 2,
          bloomBitsPerKey: 10,
          compression: 'none',
        });
        const v = Buffer.from('v');
        keys.forEach((k, i) => b.add(k, (1000 + i) * 256 + 1, v, 0, 1));
        b.finish();
        file.close();
        const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
        const r = TableReader.open(fs.openRead('/t/1.sst'), 1, '1.sst', undefined, counters);
        try {
          const targets = probes.map(
            ([inside, t, seq]) => [(inside ? prefix : '') + t, seq * 256 + 1] as const,
          );
          for (const k of keys) targets.push([k, 0], [k, 2 ** 40]);
          for (const [key, trailer] of targets) {
            assert.equal(
              r.findBlock(key, trailer),
              plainFindBlock(keysOf(r), [...r.index.trailers], key, trailer),
              `key ${JSON.stringify(key)} trailer ${trailer}`,
            );
          }
        } finally {
          r.unref();
        }
      },
    ),
    { numRuns: 300 },
  );
});
