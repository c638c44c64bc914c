// The compaction bar's read-tail rows (bench/bars.ts): each reading is checked against 2x idle for granitedb
// and shown for classic-level; a run without the after-writes reading shows '–' and no verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCompactionBar } from '../../bench/bars.js';
import type { RunResults } from '../../bench/results.js';
import type { LatencySummary } from '../../src/bench/latency.js';
import type { SustainedDetail } from '../../src/bench/sustained.js';

const lat = (p999: number): LatencySummary => ({ p50: 10, p99: 20, p999, max: p999, mean: 10, count: 1000 });

function detail(during: number, after: number | undefined, idle: number): SustainedDetail {
  return {
    keys: 10_000_000,
    batch: 1000,
    timeline: [{ keys: 10_000_000, seconds: 10, opsPerSec: 1_000_000 }],
    writeSeconds: 10,
    settleSeconds: 1,
    settleMethod: 'test',
    batchLatency: lat(1000),
    slowBatches: 0,
    userBytes: 1,
    writeAmp: { deviceSettled: 5 },
    read: {
      api: 'getSync',
      during: lat(during),
      compactingAfterWrites: after === undefined ? undefined : lat(after),
      idle: lat(idle),
      missing: 0,
    },
  };
}

function results(granite: SustainedDetail, classic: SustainedDetail): RunResults {
  const child = (engine: string, d: SustainedDetail) => ({
    engine,
    workloads: [{ workload: 'sustained', sustained: d }],
  });
  return {
    children: [child('granitedb', granite), child('classic-level', classic)],
  } as unknown as RunResults;
}

const row = (r: RunResults, starts: string) =>
  checkCompactionBar(r).rows.find((x) => x.what.startsWith(starts))!;

test('compaction bar: both read-tail readings are checked for granitedb, shown for classic-level', () => {
  const r = results(detail(300, 150, 100), detail(500, 400, 100));
  assert.deepEqual(
    [row(r, 'granitedb p99.9 getSync during writes'), row(r, 'granitedb p99.9 getSync while compacting')].map(
      (x) => [x.figure, x.bar, x.pass],
    ),
    [
      ['3.00x', '≤ 2.0x', false],
      ['1.50x', '≤ 2.0x', true],
    ],
  );
  const ref = row(r, 'classic-level p99.9 getSync while compacting');
  assert.deepEqual([ref.figure, ref.bar, ref.pass], ['4.00x', '–', undefined]);
});

test('compaction bar: without the after-writes reading the row says – and gives no verdict', () => {
  const r = results(detail(150, undefined, 100), detail(500, undefined, 100));
  const x = row(r, 'granitedb p99.9 getSync while compacting');
  assert.deepEqual([x.figure, x.pass], ['–', undefined]);
  assert.equal(row(r, 'granitedb p99.9 getSync during writes').pass, true);
});
