// The sustained-write scenario against a fake engine: which reads land in which latency set, and how the
// settle phase after the writes is sampled (only while the engine reports a compaction running).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySpace, ValueSource } from './data.js';
import type { BenchEngine, Bytes, EngineStats } from './engine.js';
import { SampleRecorder } from './latency.js';
import type { Context } from './spec.js';
import { SAMPLE_EVERY, SAMPLE_GETS, SUSTAINED_BATCH, type SustainedDetail } from './sustained.js';
import { SPECS } from './workloads.js';

interface Fake {
  engine: BenchEngine;
  /** Times stats() said a compaction was running after the writes. */
  compactingPolls: () => number;
}

/** An in-memory engine whose compaction "runs" for `settleCompactingPolls` stats() calls once the scenario
 *  first waits for it (after the writes). */
function fakeEngine(settleCompactingPolls: number, settleError?: Error): Fake {
  const data = new Map<string, Bytes>();
  let settling = false;
  let left = settleCompactingPolls;
  let polls = 0;
  const engine: BenchEngine = {
    name: 'fake',
    version: '0',
    notes: [],
    async writeBatch(ks, vs) {
      for (let i = 0; i < ks.length; i++) data.set(Buffer.from(ks[i]!).toString('latin1'), vs[i]!);
    },
    async put() {},
    async get(k) {
      return data.get(Buffer.from(k).toString('latin1'));
    },
    getSync(k) {
      return data.get(Buffer.from(k).toString('latin1'));
    },
    async seek() {
      return 0;
    },
    async scan() {
      return { entries: 0, bytes: 0 };
    },
    stats(): EngineStats {
      let compacting = false;
      if (settling && left > 0) {
        left--;
        polls++;
        compacting = true;
      }
      return { levels: [], bytesWritten: { bytes: 0, includesWal: true }, compacting };
    },
    async waitForCompaction() {
      settling = true;
      while (left > 0) await new Promise((r) => setTimeout(r, 1));
      const error = settleError;
      settleError = undefined; // the first wait only: the one after the writes
      if (error !== undefined) throw error;
    },
    async close() {},
  };
  return { engine, compactingPolls: () => polls };
}

function context(engine: BenchEngine, n: number): Context {
  const sizes = { num: n, records: 0, operations: 0, clients: 1, sustainedNum: n };
  return {
    engine,
    sizes,
    num: n,
    seed: 1,
    keys: new KeySpace(),
    small: new ValueSource(100, 1),
    large: () => new ValueSource(4096, 1),
    recorder: () => new SampleRecorder(),
  };
}

const N = SUSTAINED_BATCH * SAMPLE_EVERY * 3; // three rounds of reads during the writes

test('sustained: reads while the engine compacts after the writes form their own set, a round per poll', async () => {
  const fake = fakeEngine(4);
  const out = await SPECS.sustained.run(context(fake.engine, N));
  const d = out.sustained as SustainedDetail;
  assert.equal(d.read.during.count, 3 * SAMPLE_GETS);
  assert.equal(fake.compactingPolls(), 4);
  assert.equal(d.read.compactingAfterWrites?.count, 4 * SAMPLE_GETS);
  assert.equal(d.read.idle.count, 3 * SAMPLE_GETS);
  assert.equal(d.read.missing, 0);
});

test('sustained: no compaction left after the writes, no such set', async () => {
  const fake = fakeEngine(0);
  const d = (await SPECS.sustained.run(context(fake.engine, N))).sustained as SustainedDetail;
  assert.equal(d.read.compactingAfterWrites, undefined);
  assert.equal(d.read.idle.count, 3 * SAMPLE_GETS);
});

test('sustained: a failure while waiting for the engine to settle fails the run', async () => {
  const fake = fakeEngine(2, new Error('compaction failed'));
  await assert.rejects(SPECS.sustained.run(context(fake.engine, N)), /compaction failed/);
});
