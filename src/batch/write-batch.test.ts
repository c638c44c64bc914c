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

test('batches of varying sizes, one after another, each lend exactly their own operations', () => {
  // The size hint carried from batch to batch makes a batch jump to the previous grown batch's size: this
  // covers batches smaller than, equal to and larger than that size, each lent once, some appended to after.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.array(op, { maxLength: 200 }), fc.array(op, { maxLength: 20 })), {
        minLength: 1,
        maxLength: 12,
      }),
      (batches) => {
        for (const [first, more] of batches) {
          const batch = new WriteBatch();
          for (const o of first) apply(batch, o);
          const lent = batch.lend();
          assert.equal(batchCount(lent), first.length);
          assert.deepEqual(decode(lent), first);
          const snapshot = Buffer.from(lent);
          for (const o of more) apply(batch, o);
          // Appending while lent never changes the bytes lent.
          assert.deepEqual(lent, snapshot);
          assert.deepEqual(decode(batch.encodeCopy()), [...first, ...more]);
          batch.giveBack(lent);
          assert.deepEqual(decode(batch.lend()), [...first, ...more]);
        }
      },
    ),
    { numRuns: 200 },
  );
});

function apply(batch: WriteBatch, o: Op): void {
  if (o.kind === 'put') batch.put(o.key, o.value);
  else batch.delete(o.key);
}

type Step =
  | { s: 'op'; op: Op }
  | { s: 'clear' }
  | { s: 'lend' }
  | { s: 'giveBack'; which: number }
  | { s: 'seq'; which: number };

test('a lent view never changes until it is given back, whatever the batch does meanwhile', () => {
  // Models the engine: it may hold several views of one batch at once (a batch written again before the
  // first write finished), writes sequence numbers into their headers, and gives them back in any order.
  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: op.map((o): Step => ({ s: 'op', op: o })), weight: 6 },
    { arbitrary: fc.constant<Step>({ s: 'clear' }), weight: 1 },
    { arbitrary: fc.constant<Step>({ s: 'lend' }), weight: 2 },
    { arbitrary: fc.nat().map((which): Step => ({ s: 'giveBack', which })), weight: 2 },
    { arbitrary: fc.nat().map((which): Step => ({ s: 'seq', which })), weight: 1 },
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
      const batch = new WriteBatch();
      let ops: Op[] = [];
      const held: { view: Buffer; ops: Op[]; header: Buffer }[] = [];
      for (const st of steps) {
        if (st.s === 'op') {
          apply(batch, st.op);
          ops.push(st.op);
        } else if (st.s === 'clear') {
          batch.clear();
          ops = [];
        } else if (st.s === 'lend') {
          if (ops.length === 0) continue; // db.write does not lend an empty batch
          const view = batch.lend();
          held.push({ view, ops: [...ops], header: Buffer.from(view.subarray(0, 8)) });
        } else if (held.length > 0) {
          const i = st.which % held.length;
          if (st.s === 'seq') {
            held[i]!.view.writeUInt32LE(st.which, 0); // as the engine writes the sequence number
            held[i]!.header = Buffer.from(held[i]!.view.subarray(0, 8));
          } else batch.giveBack(held.splice(i, 1)[0]!.view);
        }
        for (const h of held) {
          assert.deepEqual(decode(h.view), h.ops);
          assert.deepEqual(h.view.subarray(0, 8), h.header);
        }
      }
      assert.deepEqual(decode(batch.encodeCopy()), ops);
    }),
    { numRuns: 300 },
  );
});

test('a batch that outgrows the initial capacity takes the last grown batch size in one step', () => {
  const fill = (b: WriteBatch): WriteBatch => {
    for (let i = 0; i < 1000; i++) b.put(`key${String(i).padStart(13, '0')}`, Buffer.alloc(100, i));
    return b;
  };
  const first = fill(new WriteBatch()).lend();
  const second = fill(new WriteBatch()).lend();
  // Doubling from 256 bytes gives a power-of-two buffer (131072 for these ~120 KB); the hint gives the
  // previous size plus 1/16.
  assert.equal(second.length, first.length);
  assert.equal(second.buffer.byteLength, first.length + (first.length >>> 4));
  assert.deepEqual(decode(second), decode(first));
  // A batch that stays under 1/64 of the hint doubles as before and never allocates the hinted size.
  const small = new WriteBatch();
  for (let i = 0; i < 10; i++) small.put(`k${i}`, Buffer.alloc(100));
  const smallTaken = small.lend();
  assert.ok(smallTaken.length > 1024 && smallTaken.length * 64 < first.length);
  assert.ok(smallTaken.buffer.byteLength <= 8192, `small batch buffer ${smallTaken.buffer.byteLength}`);
});
