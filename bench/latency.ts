// Per-operation latency for the single-op workloads: an HDR histogram (pure-JS build, 3 significant
// digits) of nanoseconds between issuing an operation and its completion. With N operations in
// flight the figure includes queueing behind the other N-1, as a client would see it.
import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  /** Microseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export class LatencyRecorder {
  #hist: Histogram = build({ useWebAssembly: false, numberOfSignificantValueDigits: 3 });

  /** `ms` as returned by a difference of performance.now() readings. */
  record(ms: number): void {
    this.#hist.recordValue(Math.max(1, Math.round(ms * 1e6)));
  }

  summary(): LatencySummary {
    const us = (ns: number): number => Math.round(ns / 10) / 100;
    const h = this.#hist;
    return {
      p50: us(h.getValueAtPercentile(50)),
      p99: us(h.getValueAtPercentile(99)),
      p999: us(h.getValueAtPercentile(99.9)),
      max: us(h.maxValue),
      mean: us(h.mean),
    };
  }
}
