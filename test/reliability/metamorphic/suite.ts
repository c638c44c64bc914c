// One metamorphic seed: generate the log, compute the model's results once, replay under every option set,
// and report each set's first diverging op with the command that replays exactly that seed and set.
import type { CompressionName } from '../../../src/index.js';
import { formatSet, type OptionSet } from './option-sets.js';
import { generateLog } from './ops.js';
import { modelResults, replay, type SetRun } from './run.js';

export interface SeedReport {
  seed: number;
  ops: number;
  /** Read ops in the log (results compared beyond 'ok'). */
  reads: number;
  runs: { spec: string; run: SetRun }[];
  failures: string[];
}

export function replayCommand(seed: number, ops: number, spec: string): string {
  return `node dist/test/reliability/metamorphic/main.js --seed ${seed} --seeds 1 --ops ${ops} --set '${spec}'`;
}

/** Shortens a result for a message: long scans keep their head. */
function clip(s: string): string {
  return s.length > 600 ? `${s.slice(0, 600)}... (${s.length} chars)` : s;
}

export async function runSeed(
  seed: number,
  nOps: number,
  sets: readonly OptionSet[],
  compressions: readonly CompressionName[],
): Promise<SeedReport> {
  const ops = generateLog(seed, nOps);
  const want = await modelResults(ops);
  const reads = ops.filter((o) => ['get', 'getSync', 'getMany', 'iter', 'release'].includes(o.t)).length;
  const report: SeedReport = { seed, ops: ops.length, reads, runs: [], failures: [] };
  for (const set of sets) {
    const spec = formatSet(set);
    const run = await replay(ops, want, set, compressions);
    report.runs.push({ spec, run });
    const d = run.divergence;
    if (d !== undefined) {
      report.failures.push(
        [
          `seed ${seed}, option set ${spec}: first diverging op #${d.op} of ${ops.length}: ${d.opText}`,
          `  model: ${clip(d.want)}`,
          `  got:   ${clip(d.got)}`,
          ...(d.error !== undefined ? [`  error: ${d.error.split('\n').slice(0, 6).join('\n    ')}`] : []),
          `  replay: ${replayCommand(seed, nOps, spec)}`,
        ].join('\n'),
      );
    } else if (run.problems.length > 0) {
      report.failures.push(
        `seed ${seed}, option set ${spec}: after the log: ${run.problems.join('; ')}\n` +
          `  replay: ${replayCommand(seed, nOps, spec)}`,
      );
    }
  }
  return report;
}
