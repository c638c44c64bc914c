// YCSB plumbing: the operation plans (mixes, insert numbering, acknowledgement lag, scan lengths) and
// the record layout; the workloads themselves run end to end in test/cli/bench.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFINITIONS,
  FIELD_BYTES,
  FIELD_COUNT,
  MAX_SCAN,
  OP,
  RECORD_BYTES,
  RecordSource,
  YCSB_KEY_BYTES,
  YcsbKeys,
  decodeRecord,
  encodeRecord,
  fieldOffset,
  plan,
  ycsbKey,
} from './ycsb.js';

const SEED = 7;
const OPS = 20_000;
const RECORDS = 5_000;

for (const def of Object.values(DEFINITIONS)) {
  test(`plan ${def.name}: the mix, record numbers, inserts and scans`, () => {
    const lag = 16;
    const p = plan(def, RECORDS, OPS, lag, SEED);
    const again = plan(def, RECORDS, OPS, lag, SEED);
    assert.deepEqual(p, again, 'deterministic for a seed');
    const count = [0, 0, 0, 0, 0];
    const insertAt = new Map<number, number>();
    let nextInsert = RECORDS;
    for (let i = 0; i < OPS; i++) {
      const t = p.types[i]!;
      count[t]!++;
      if (t === OP.insert) {
        assert.equal(p.targets[i], nextInsert++, 'inserts take consecutive record numbers');
        insertAt.set(p.targets[i]!, i);
      } else {
        const n = p.targets[i]!;
        assert.ok(n < RECORDS + p.inserts, `op ${i} targets ${n}`);
        if (n >= RECORDS && !p.latest)
          assert.ok(insertAt.get(n)! + lag <= i, `op ${i} reads record ${n} before it is acknowledged`);
      }
      if (t === OP.scan) assert.ok(p.scanLengths[i]! >= 1 && p.scanLengths[i]! <= MAX_SCAN);
      else assert.equal(p.scanLengths[i], 0);
    }
    assert.equal(p.inserts, nextInsert - RECORDS);
    const m = def.mix;
    const expected = [m.read, m.update, m.insert, m.scan, m.rmw];
    expected.forEach((share, t) => {
      assert.ok(
        Math.abs(count[t]! / OPS - share) < 0.02,
        `${def.name} op ${t}: ${count[t]! / OPS} vs ${share} (seed ${SEED})`,
      );
    });
  });
}

test("plan ycsb-d: 'latest' reads are distances back from the newest record, mostly short", () => {
  const p = plan(DEFINITIONS['ycsb-d'], RECORDS, OPS, 1, SEED);
  assert.equal(p.latest, true);
  assert.equal(plan(DEFINITIONS['ycsb-a'], RECORDS, OPS, 1, SEED).latest, false);
  let recent = 0;
  let reads = 0;
  for (let i = 0; i < OPS; i++) {
    if (p.types[i] !== OP.read) continue;
    reads++;
    if (p.targets[i]! < 100) recent++;
  }
  assert.ok(recent / reads > 0.5, `${recent} of ${reads} reads among the newest records (seed ${SEED})`);
});

test('keys: user + 19 digits of fnv64, arena grows on demand', () => {
  const keys = new YcsbKeys();
  keys.ensure(3);
  keys.ensure(10);
  assert.equal(keys.count, 10);
  for (let n = 0; n < 10; n++) {
    assert.equal(keys.key(n).length, YCSB_KEY_BYTES);
    assert.equal(keys.key(n).toString('latin1'), ycsbKey(n));
  }
  assert.equal(ycsbKey(0), 'user6284781860667377211');
});

test('records: RocksDB-binding layout, 10 fields of 100 bytes, round trip', () => {
  const src = new RecordSource(SEED);
  const rec = src.record(42, 0);
  assert.equal(rec.length, RECORD_BYTES);
  const fields = decodeRecord(rec);
  assert.deepEqual(
    [...fields.keys()],
    Array.from({ length: FIELD_COUNT }, (_, f) => `field${f}`),
  );
  for (let f = 0; f < FIELD_COUNT; f++) {
    assert.equal(fields.get(`field${f}`)!.length, FIELD_BYTES);
    assert.deepEqual(fields.get(`field${f}`), rec.subarray(fieldOffset(f), fieldOffset(f) + FIELD_BYTES));
  }
  assert.deepEqual(encodeRecord([...fields]), rec);
  // name length 6 big-endian, then 'field0'
  assert.deepEqual(rec.subarray(0, 10), Buffer.from([0, 0, 0, 6, ...Buffer.from('field0')]));
  assert.notDeepEqual(src.record(42, 1), rec, 'a later write generation writes other bytes');
});

test('decodeRecord rejects a truncated record', () => {
  const rec = new RecordSource(SEED).record(1, 0);
  assert.throws(() => decodeRecord(rec.subarray(0, RECORD_BYTES - 1)), /truncated/);
  assert.throws(() => decodeRecord(rec.subarray(0, 2)), /truncated/);
});
