import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumberIndex } from './number-index.js';

test('NumberIndex behaves as a Map<number, number> under random set/delete/get/clear', () => {
  // Keys from a small set (to force collisions, long probe runs and deletes inside them) plus large ones
  // shaped like block-cache keys (slot * 2^34 + offset).
  const key = fc.oneof(
    fc.integer({ min: 0, max: 64 }),
    fc
      .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 2 ** 34 - 1 }))
      .map(([slot, off]) => slot * 2 ** 34 + off),
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          op: fc.constantFrom('set', 'set', 'delete', 'get', 'clear'),
          key,
          value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        }),
        { maxLength: 600 },
      ),
      (ops) => {
        const index = new NumberIndex();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.op === 'set') {
            index.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.op === 'delete') {
            assert.equal(index.delete(o.key), model.delete(o.key));
          } else if (o.op === 'get') {
            assert.equal(index.get(o.key), model.has(o.key) ? model.get(o.key) : -1);
          } else if (Math.abs(o.value) % 50 === 0) {
            index.clear();
            model.clear();
          }
          assert.equal(index.size, model.size);
        }
        for (const [k, v] of model) assert.equal(index.get(k), v);
      },
    ),
    { numRuns: 300 },
  );
});

test('NumberIndex keeps every key reachable through growth and deletes of whole probe runs', () => {
  const index = new NumberIndex();
  const n = 20_000;
  for (let i = 0; i < n; i++) index.set(i * 2 ** 34 + 4096 * (i % 7), i);
  for (let i = 0; i < n; i += 2) assert.ok(index.delete(i * 2 ** 34 + 4096 * (i % 7)));
  for (let i = 0; i < n; i++) assert.equal(index.get(i * 2 ** 34 + 4096 * (i % 7)), i % 2 === 0 ? -1 : i);
  assert.equal(index.size, n / 2);
});
