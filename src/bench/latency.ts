// Per-operation latency: the recorder interface the workloads write to, and an exact recorder that keeps
// every sample (used by `granite bench`; the peer harness plugs in an HDR histogram, bench/latency.ts).
// A sample is the wall time between issuing an operation and its completion; with N operations in
// flight it includes queueing behind the other N-1, as a client would see it.

export interface LatencySummary {
  /** Microseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Operations recorded. */
  count: number;
}

export interface LatencyRecorder {
  /** `ms` as returned by a difference of performance.now() readings. */
  record(ms: number): void;
  readonly count: number;
  summary(): LatencySummary;
}

export type RecorderFactory = () => LatencyRecorder;

/** Rounds microseconds to two decimals, the precision every summary reports. */
export const roundUs = (us: number): number => Math.round(us * 100) / 100;

/** Keeps every sample (8 bytes each) and sorts once for the summary: exact percentiles. */
export class SampleRecorder implements LatencyRecorder {
  #samples = new Float64Array(1024);
  #n = 0;

  get count(): number {
    return this.#n;
  }

  record(ms: number): void {
    if (this.#n === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#n++] = ms;
  }

  summary(): LatencySummary {
    const n = this.#n;
    if (n === 0) return { p50: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
    const s = this.#samples.subarray(0, n).slice().sort();
    // Nearest rank: the smallest sample with at least p% of the samples at or below it.
    const at = (p: number): number => {
      const rank = Math.ceil((p * n) / 100 - 1e-9); // 1-based; the epsilon absorbs 99.9 * n rounding up
      return roundUs(s[Math.min(n, Math.max(1, rank)) - 1]! * 1000);
    };
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s[i]!;
    return {
      p50: at(50),
      p99: at(99),
      p999: at(99.9),
      max: roundUs(s[n - 1]! * 1000),
      mean: roundUs((sum / n) * 1000),
      count: n,
    };
  }
}
