// Runs inputs of a target and classifies each (target.ts). Input i of target t under seed S is drawn from
// its own generator, seeded by inputSeed(S, t, i), so any single input replays without the ones before it.
import { GraniteError } from '../../../src/index.js';
import { Rng } from '../../../src/testing/index.js';
import { AllocationBudgetExceeded } from './alloc-meter.js';
import type { Corpus } from './corpus.js';
import { isTypedRejection, OracleFailure, type FuzzTarget, type Outcome } from './target.js';

function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  return (a ^ (a >>> 16)) >>> 0;
}

export function inputSeed(seed: number, targetIndex: number, index: number): number {
  return mix((mix(seed ^ mix(targetIndex + 1)) + index) >>> 0);
}

export type Result = { outcome: Outcome } | { failure: string; input: string };

/** Why an exception that escaped a target is a failure (or undefined: it is a typed rejection). */
export function failureReason(err: unknown): string | undefined {
  if (isTypedRejection(err)) return undefined;
  if (err instanceof OracleFailure) return `oracle: ${err.message}`;
  if (err instanceof AllocationBudgetExceeded) return `allocation: ${err.message}`;
  if (err instanceof GraniteError) return `wrong error ${err.code}: ${err.stack ?? err.message}`;
  return `untyped exception: ${(err as Error)?.stack ?? String(err)}`;
}

export function runOne(
  t: FuzzTarget,
  targetIndex: number,
  seed: number,
  index: number,
  corpus: Corpus,
): Result {
  const input = t.make(new Rng(inputSeed(seed, targetIndex, index)), corpus);
  try {
    return { outcome: t.exec(input, corpus) };
  } catch (err) {
    const reason = failureReason(err);
    if (reason === undefined) return { outcome: 'rejected' };
    return { failure: reason, input: t.show(input) };
  }
}

export function replayCommand(target: string, seed: number, index: number): string {
  return `node dist/test/reliability/fuzz/main.js --seed ${seed} --replay ${target}:${index}`;
}
