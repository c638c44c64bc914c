// The exact recorder `granite bench` uses: nearest-rank percentiles in microseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleRecorder } from './latency.js';

test('SampleRecorder: nearest-rank percentiles, max, mean, count', () => {
  const r = new SampleRecorder();
  assert.deepEqual(r.summary(), { p50: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 });
  for (let i = 2000; i >= 1; i--) r.record(i / 1000); // 1..2000 µs, recorded out of order, past one growth
  assert.deepEqual(r.summary(), { p50: 1000, p99: 1980, p999: 1998, max: 2000, mean: 1000.5, count: 2000 });
});
