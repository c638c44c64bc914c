// Regression tests for bugs the fuzzer found, each named after its case (docs/reliability.md, "Bugs these
// tests found").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CorruptionError } from '../../../src/index.js';
import { decodeVersionEdit, encodeVersionEdit } from '../../../src/version/version-edit.js';

test('fuzz wal #160 (seed 5): a log of damaged fragments reads in one pass in every mode, skip-any-corrupted included (was quadratic: minutes for 512 KiB)', () => {
  const child = fileURLToPath(new URL('./damaged-log-child.js', import.meta.url));
  const r = spawnSync(process.execPath, [child], { timeout: 60_000, encoding: 'utf8' });
  assert.equal(r.signal, null, 'reading 512 KiB of damaged fragments did not finish within 60 s (a hang)');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    'skip-any-corrupted': { records: 0, damageOffset: 0, truncated: false },
    'point-in-time': { records: 0, damageOffset: 0, truncated: true },
    'tolerate-corrupted-tail': { records: 0, damageOffset: 0, truncated: true },
    'absolute-consistency': { corruption: 0 },
  });
});

test('fuzz version-edit #289582 (seed 20261122): a MANIFEST number or key trailer of 2^53 or more is CORRUPTION, not a rounded value', () => {
  // The fuzzed record: a NewFile whose smallest key's trailer is fixed64 0xffffffffffffffff (read as 2^64,
  // re-encoded as 0).
  const input = Buffer.from(
    '012603be020406ea06bc0417e95d1746ebdcad959ecb414b14b18d00005fad7cb700001145d0a3e60f7b0041380000e630ba53' +
      '00009702f603040180848dd093095318b78d323c2bd4ae0e081ec02a92fd74c100ffffffffffffff0f0a33c30bd6a51e0100' +
      '6069c6060000cb04800404061080e68fe4821e09780000b578883f00001119a9a27fb25141451401004743a37b00008303a007',
    'hex',
  );
  const rejects = (b: Buffer): boolean => {
    try {
      decodeVersionEdit(b, 'MANIFEST-000001', 7);
      return false;
    } catch (err) {
      return err instanceof CorruptionError && err.file === 'MANIFEST-000001' && err.offset === 7;
    }
  };
  assert.ok(rejects(input), 'the fuzzed record');
  // Varint numbers: 2^53 - 1 is the largest accepted.
  const logNumber = (v: number): Buffer => Buffer.from(encodeVersionEdit({ logNumber: v }));
  assert.deepEqual(decodeVersionEdit(logNumber(2 ** 53 - 1), 'M', 0), { logNumber: 2 ** 53 - 1 });
  assert.ok(rejects(Buffer.from([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])), 'LogNumber 2^53');
  // Trailers: the same bound.
  const file = (trailer: number): Buffer => {
    const meta = {
      fileNum: 9,
      size: 100,
      smallestKey: 'a',
      smallestTrailer: 256,
      largestKey: 'b',
      largestTrailer: 256,
      smallestSeq: 1,
      largestSeq: 1,
    };
    const b = Buffer.from(encodeVersionEdit({ newFiles: [{ level: 0, meta }] }));
    const at = b.indexOf(Buffer.from('b', 'latin1'), 6) + 1; // the largest key's trailer
    b.writeUInt32LE(trailer % 2 ** 32, at);
    b.writeUInt32LE(Math.floor(trailer / 2 ** 32), at + 4);
    return b;
  };
  assert.equal(decodeVersionEdit(file(2 ** 53 - 1), 'M', 0).newFiles?.[0]?.meta.largestTrailer, 2 ** 53 - 1);
  assert.ok(rejects(file(2 ** 53)), 'largest trailer 2^53');
});
