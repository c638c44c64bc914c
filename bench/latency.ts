// The harness's latency recorder: an HDR histogram (pure-JS build, 3 significant digits) of nanoseconds
// per operation, behind the LatencyRecorder interface the workloads use (src/bench/latency.ts).
import { build, type Histogram } from 'hdr-histogram-js';
import { type LatencyRecorder, type LatencySummary, roundUs } from '../src/bench/latency.js';

export class HdrRecorder implements LatencyRecorder {
  #hist: Histogram = build({ useWebAssembly: false, numberOfSignificantValueDigits: 3 });

  get count(): number {
    return this.#hist.totalCount;
  }

  record(ms: number): void {
    this.#hist.recordValue(Math.max(1, Math.round(ms * 1e6)));
  }

  summary(): LatencySummary {
    const h = this.#hist;
    const us = (ns: number): number => roundUs(ns / 1000);
    return {
      p50: us(h.getValueAtPercentile(50)),
      p99: us(h.getValueAtPercentile(99)),
      p999: us(h.getValueAtPercentile(99.9)),
      max: us(h.maxValue),
      mean: us(h.mean),
      count: h.totalCount,
    };
  }
}
