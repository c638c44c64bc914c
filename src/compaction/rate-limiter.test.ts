import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.js';

test('RateLimiter: the burst is free, then each byte beyond it costs 1/rate seconds', () => {
  let now = 0;
  const r = new RateLimiter(1024 * 1024, () => now); // 1 MiB/s: burst = max(64 KiB, 102.4 KiB)
  const burst = (1024 * 1024) / 10;
  assert.equal(r.reserve(burst), 0);
  assert.equal(r.reserve(1024 * 1024), 1000, '1 MiB of debt at 1 MiB/s is one second');
  now = 1000; // the debt has been paid by waiting
  assert.equal(r.reserve(0), 0);
  now = 1500; // half a second idle refills 512 KiB, capped at the burst
  assert.equal(r.reserve(burst), 0);
  assert.ok(r.reserve(1) > 0);
});

test('RateLimiter: a slow writer never waits; the burst has a 64 KiB floor', () => {
  let now = 0;
  const r = new RateLimiter(1000, () => now);
  assert.equal(r.reserve(64 * 1024), 0);
  assert.equal(r.reserve(500), 500);
  for (let i = 0; i < 10; i++) {
    now += 10_000;
    assert.equal(r.reserve(5_000), 0, 'writing below the rate never waits');
  }
});
