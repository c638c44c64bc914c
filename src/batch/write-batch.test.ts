import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kind } from '../format/keys.js';
import { visitBatch, batchCount } from './batch-reader.js';
import { WriteBatch } from './write-batch.js';

type Op = { kind: 'put'; key: Buffer; value: Buffer } | { kind: 'del'; key: Buffer };

function decode(rep: Buffer): Op[] {
  const ops: Op[] = [];
  visitBatch(rep, rep.length, 'batch', 0, (kind, ks, ke, vs, ve) => {
    const key = Buffer.from(rep.subarray(ks, ke));
    ops.push(
      kind === Kind.Value
        ? { kind: 'put', key, value: Buffer.from(rep.subarray(vs, ve)) }
        : { kind: 'del', key },
    );
  });
  return ops;
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc
    .record({
      kind: fc.constant('put' as const),
      key: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a)),
      value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    })
    .map((r): Op => ({ ...r })), // fc.record objects have a null prototype, which deepEqual tells apart
  fc
    .record({
      kind: fc.constant('del' as const),
      key: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a)),
    })
    .map((r): Op => ({ ...r })),
);

test('batches of varying sizes, one after another, each hand out exactly their own operations', () => {
  // The size hint carried from batch to batch makes a batch jump to the previous grown batch's size: this
  // covers batches smaller than, equal to and larger than that size, each taken once, some appended to after.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.array(op, { maxLength: 200 }), fc.array(op, { maxLength: 20 })), {
        minLength: 1,
        maxLength: 12,
      }),
      (batches) => {
        for (const [first, more] of batches) {
          const batch = new WriteBatch();
          for (const o of first) {
            if (o.kind === 'put') batch.put(o.key, o.value);
            else batch.delete(o.key);
          }
          const taken = batch.takeEncoded();
          assert.equal(batchCount(taken), first.length);
          assert.deepEqual(decode(taken), first);
          const snapshot = Buffer.from(taken);
          for (const o of more) {
            if (o.kind === 'put') batch.put(o.key, o.value);
            else batch.delete(o.key);
          }
          // Appending after the hand-out never changes the bytes handed out.
          assert.deepEqual(taken, snapshot);
          assert.deepEqual(decode(batch.takeEncoded()), [...first, ...more]);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('a batch that outgrows the initial capacity takes the last grown batch size in one step', () => {
  const fill = (b: WriteBatch): WriteBatch => {
    for (let i = 0; i < 1000; i++) b.put(`key${String(i).padStart(13, '0')}`, Buffer.alloc(100, i));
    return b;
  };
  const first = fill(new WriteBatch()).takeEncoded();
  const second = fill(new WriteBatch()).takeEncoded();
  // Doubling from 256 bytes gives a power-of-two buffer (131072 for these ~120 KB); the hint gives the
  // previous size plus 1/16.
  assert.equal(second.length, first.length);
  assert.equal(second.buffer.byteLength, first.length + (first.length >>> 4));
  assert.deepEqual(decode(second), decode(first));
  // A batch that stays under 1/64 of the hint doubles as before and never allocates the hinted size.
  const small = new WriteBatch();
  for (let i = 0; i < 10; i++) small.put(`k${i}`, Buffer.alloc(100));
  const smallTaken = small.takeEncoded();
  assert.ok(smallTaken.length > 1024 && smallTaken.length * 64 < first.length);
  assert.ok(smallTaken.buffer.byteLength <= 8192, `small batch buffer ${smallTaken.buffer.byteLength}`);
});
