// What a fuzz target is, and what its run may end in:
//   accepted  the decoder returned, and the oracle (round trip or reference decoder) agreed
//   rejected  the decoder threw CorruptionError (offset an integer >= -1; targets may bound it by the input)
//   failure   anything else: an untyped exception, another error code, an oracle violation (OracleFailure),
//             an allocation over budget (alloc-meter.ts); hangs are caught by the driver's watchdog
import { CorruptionError } from '../../../src/index.js';
import type { Rng } from '../../../src/testing/index.js';
import type { Corpus } from './corpus.js';

export type Outcome = 'accepted' | 'rejected';

export interface FuzzTarget<I = unknown> {
  readonly name: string;
  /** Input number i of this target, drawn from `rng` (seeded from seed, target and i). */
  make(rng: Rng, corpus: Corpus): I;
  /** Runs the decoder(s) on `input` under the allocation meter. */
  exec(input: I, corpus: Corpus): Outcome;
  /** The input for a failure report. */
  show(input: I): string;
}

/** An oracle violation: the decoder returned something the reference or the round trip contradicts. */
export class OracleFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OracleFailure';
  }
}

export function oracle(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new OracleFailure(message());
}

/** True when `err` is a CorruptionError (the only error a decoder may throw on bad bytes). */
export function isTypedRejection(err: unknown): err is CorruptionError {
  return err instanceof CorruptionError && err.code === 'CORRUPTION' && typeof err.file === 'string';
}

/**
 * Runs `f`; returns false when it threw a CorruptionError whose offset is an integer in [-1, maxOffset] (a
 * position in the input, or none); rethrows anything else (a bad offset as an OracleFailure).
 */
export function attempt(f: () => void, maxOffset = Infinity): boolean {
  try {
    f();
    return true;
  } catch (err) {
    if (!isTypedRejection(err)) throw err;
    const o = err.offset;
    if (!(Number.isInteger(o) && o >= -1 && o <= maxOffset))
      throw new OracleFailure(`CorruptionError offset ${o} is not a position in the input: ${err.message}`);
    return false;
  }
}

export function hex(b: Uint8Array, max = 256): string {
  const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, max)).toString('hex');
  return `${b.length} bytes: ${s}${b.length > max ? '...' : ''}`;
}

/** Define a target with its input type inferred. */
export function target<I>(t: FuzzTarget<I>): FuzzTarget<unknown> {
  return t as unknown as FuzzTarget<unknown>;
}
