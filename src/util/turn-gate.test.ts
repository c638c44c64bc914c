import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TurnGate } from './turn-gate.js';

/** Runs `chains` loops of awaited settlements until `stop()` or `cap` settlements in all; returns the count. */
async function chains(gate: TurnGate, chains: number, cap: number, stop: () => boolean): Promise<number> {
  let n = 0;
  const loop = async (): Promise<void> => {
    while (n < cap && !stop()) {
      const i = n++;
      assert.equal(await gate.settle(i), i);
    }
  };
  await Promise.all(Array.from({ length: chains }, loop));
  return n;
}

for (const width of [1, 256]) {
  test(`${width} chain(s) of awaited settlements let the event loop turn (an immediate runs before they end)`, async () => {
    const gate = new TurnGate(2);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    // With plain Promise.resolve the chains only end at the cap and the immediate runs after them.
    const n = await chains(gate, width, 20_000_000, () => ran);
    assert.ok(ran);
    assert.ok(n < 20_000_000, `stopped after ${n} settlements`);
    assert.ok(gate.yields >= 1);
    gate.dispose();
  });
}

test('a chain that turns the event loop itself is never held', async () => {
  const gate = new TurnGate(2);
  for (let i = 0; i < 2000; i++) {
    assert.equal(await gate.settle(i), i);
    if (i % 32 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.equal(gate.yields, 0);
  gate.dispose();
});

test('settled values arrive in order within a chain, held or not', async () => {
  const gate = new TurnGate(0); // hold whenever the probe has not run: the most holds
  const seen: number[] = [];
  for (let i = 0; i < 5000; i++) seen.push(await gate.settle(i));
  assert.deepEqual(
    seen,
    Array.from({ length: 5000 }, (_, i) => i),
  );
  assert.ok(gate.yields > 0);
  gate.dispose();
});
