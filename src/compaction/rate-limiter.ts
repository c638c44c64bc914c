// A token bucket on bytes written by compactions (option compactionRateLimit). Tokens accrue at `rate`
// bytes per second up to a burst of 100 ms worth (at least 64 KiB); reserve() takes bytes and, when that
// leaves a debt, says how long to wait until the debt is paid. Pure apart from the injected clock.
//
// Invariant: over any interval of t seconds, the bytes reserved minus the bytes whose wait has not yet
// elapsed never exceed rate * t + burst.
const MIN_BURST = 64 * 1024;

export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  /** `bytesPerSecond` > 0; `now` returns milliseconds. */
  constructor(bytesPerSecond: number, now: () => number = () => performance.now()) {
    this.#rate = bytesPerSecond;
    this.#burst = Math.max(MIN_BURST, bytesPerSecond / 10);
    this.#now = now;
    this.#tokens = this.#burst;
    this.#last = now();
  }

  /** Accounts `bytes` written; returns the milliseconds to wait before writing more (0: none). */
  reserve(bytes: number): number {
    const t = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((t - this.#last) * this.#rate) / 1000);
    this.#last = t;
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.#rate;
  }
}
