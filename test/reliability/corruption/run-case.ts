// One case: damage a copy of the fixture's image, open it, read every probe key with getSync and every entry
// with a forward and a reverse scan, and classify what happened against the rules (rules.ts):
//   detected  a CorruptionError the rules allow, after only correct values
//   harmless  the open succeeded and every read matches an allowed state; a second open of the same files
//             shows the same state (recovery left a clean database behind)
//   failure   anything else: a wrong or lost value, an error the rules do not allow, an untyped exception
// Tables also get a third open with paranoidChecks, which reads every block at open: it must detect exactly
// when the reads did. Optionally `granite check` runs on the damaged files too (check-phase.ts).
import { CorruptionError, GraniteDB, GraniteError, type WalRecoveryMode } from '../../../src/index.js';
import type { MemoryFileSystem } from '../../../src/fs/index.js';
import { checkImage } from './check-phase.js';
import { applyDamage, type Damage } from './damage.js';
import { DIR, type Fixture, type Model } from './fixtures.js';
import { expectationFor, type Expectation } from './rules.js';

type Detected = { verdict: 'detected'; phase: string; file: string; offset: number };
type Failure = { verdict: 'failure'; phase: string; reason: string };
export type Verdict = Detected | Failure | { verdict: 'harmless'; state: string };

/** A failure found while reading: ends the case. */
class Stop {
  readonly v: Failure;
  constructor(v: Failure) {
    this.v = v;
  }
}

function classify(err: unknown, exp: Expectation, phase: string): Detected | Failure {
  if (err instanceof Stop) return err.v;
  if (err instanceof CorruptionError) {
    if (exp.detect === undefined)
      return { verdict: 'failure', phase, reason: `unexpected ${err.message} (rule: ${exp.rule})` };
    const problem = exp.detect(err.file, err.offset);
    if (problem !== '')
      return { verdict: 'failure', phase, reason: `${err.message}: ${problem} (rule: ${exp.rule})` };
    return { verdict: 'detected', phase, file: err.file, offset: err.offset };
  }
  if (err instanceof GraniteError)
    return { verdict: 'failure', phase, reason: `wrong error code ${err.code}: ${err.message}` };
  return { verdict: 'failure', phase, reason: `untyped exception: ${(err as Error)?.stack ?? String(err)}` };
}

function show(v: string | undefined): string {
  if (v === undefined) return 'absent';
  return v.length > 24 ? `'${v.slice(0, 24)}...' (${v.length} B)` : `'${v}'`;
}

/**
 * Narrows `live` (label -> model) to the states consistent with `check`; throws Stop(failure) when no allowed
 * state remains.
 */
function narrow(
  live: Map<string, Model>,
  exp: Expectation,
  phase: string,
  check: (m: Model) => boolean,
  what: () => string,
): void {
  for (const [label, m] of live) if (!check(m)) live.delete(label);
  if ([...live.keys()].some((l) => exp.allowed.has(l))) return;
  if (exp.allowed.size === 0 && live.size > 0) return; // a detection was required: reported after the reads
  const seen = live.size > 0 ? `; the reads match only the disallowed state(s) ${[...live.keys()]}` : '';
  throw new Stop({ verdict: 'failure', phase, reason: `${what()}${seen} (rule: ${exp.rule})` });
}

function sortedEntries(m: Model, reverse: boolean): [string, string][] {
  const e = [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return reverse ? e.reverse() : e;
}

/** Reads every probe key and both scans; returns the allowed labels that match. Throws on damage. */
function readState(db: GraniteDB, f: Fixture, exp: Expectation, phase: string): string[] {
  const live = new Map(f.states.map((s) => [s.label, s.model] as const));
  for (const key of f.keys) {
    const got = db.getSync(key)?.toString('latin1');
    narrow(
      live,
      exp,
      phase,
      (m) => m.get(key) === got,
      () => {
        const want = [...exp.allowed].map(
          (l) => `${l}: ${show(f.states.find((s) => s.label === l)?.model.get(key))}`,
        );
        return `get('${key}') returned ${show(got)}, expected ${want.length > 0 ? want.join(' or ') : 'a CorruptionError'}`;
      },
    );
  }
  for (const reverse of [false, true]) {
    const seen: [string, string][] = [];
    const scan = (): string => `${reverse ? 'reverse ' : ''}scan yielded ${seen.length} entries`;
    const matches = (m: Model, complete: boolean): boolean => {
      const want = sortedEntries(m, reverse);
      if (complete ? want.length !== seen.length : want.length < seen.length) return false;
      return seen.every(([k, v], i) => want[i]![0] === k && want[i]![1] === v);
    };
    try {
      for (const [k, v] of db.iterator({ reverse })) {
        seen.push([k!.toString('latin1'), v!.toString('latin1')]);
        narrow(
          live,
          exp,
          phase,
          (m) => matches(m, false),
          () => `${scan()}, the last one wrong`,
        );
      }
    } catch (err) {
      if (err instanceof Stop) throw err;
      narrow(live, exp, phase, (m) => matches(m, false), scan);
      throw err;
    }
    narrow(
      live,
      exp,
      phase,
      (m) => matches(m, true),
      () => `${scan()}, too few`,
    );
  }
  const labels = [...live.keys()].filter((l) => exp.allowed.has(l));
  if (labels.length === 0)
    throw new Stop({
      verdict: 'failure',
      phase,
      reason: `no error, and the reads show state ${[...live.keys()].join(' = ')} (rule: ${exp.rule})`,
    });
  return labels;
}

async function openAndRead(
  f: Fixture,
  exp: Expectation,
  phase: string,
  options: object,
): Promise<{ labels: string[] } | Detected | Failure> {
  let db: GraniteDB | undefined;
  try {
    db = await GraniteDB.open(DIR, { ...f.options, ...options });
    return { labels: readState(db, f, exp, phase) };
  } catch (err) {
    return classify(err, exp, phase);
  } finally {
    await db?.close();
  }
}

/**
 * Runs one case. With `checkRoot` (a scratch directory) `granite check` also runs on the damaged files: when
 * the engine detected the damage, or dropped records where a reader can tell (not a cut at a record
 * boundary), check must list at least one problem; none of its problems may be an internal error.
 */
export async function runCase(
  f: Fixture,
  d: Damage,
  mode: WalRecoveryMode,
  checkRoot?: string,
): Promise<Verdict> {
  const fs = applyDamage(f, d);
  const problems = checkRoot === undefined ? undefined : await checkImage(fs, checkRoot);
  const v = await openCase(f, d, mode, fs);
  if (problems === undefined || v.verdict === 'failure') return v;
  const internal = problems.find((p) => p.startsWith('internal error'));
  if (internal !== undefined)
    return { verdict: 'failure', phase: 'check', reason: `check reported: ${internal}` };
  const exp = expectationFor(f, d, mode);
  if (problems.length === 0 && (v.verdict === 'detected' || (v.state !== 'final' && !exp.undetectable)))
    return {
      verdict: 'failure',
      phase: 'check',
      reason: `check found nothing, but the engine ${v.verdict === 'detected' ? `detected ${v.file}@${v.offset}` : `showed state ${v.state}`}`,
    };
  return v;
}

async function openCase(
  f: Fixture,
  d: Damage,
  mode: WalRecoveryMode,
  fs: MemoryFileSystem,
): Promise<Verdict> {
  const exp = expectationFor(f, d, mode);
  const options = { fileSystem: fs, walRecoveryMode: mode };
  const first = await openAndRead(f, exp, 'open', options);
  if ('verdict' in first) {
    if (first.verdict !== 'detected' || f.structure !== 'sst') return first;
    const again = await openAndRead(f, exp, 'paranoid open', { ...options, paranoidChecks: true });
    if ('verdict' in again) return again.verdict === 'detected' ? first : again;
    return {
      verdict: 'failure',
      phase: 'paranoid open',
      reason: 'paranoidChecks opened and read a table whose damage the reads detected',
    };
  }
  const state = first.labels.includes('final') ? 'final' : first.labels[0]!;
  // The recovered database must stay as it was found: open it again (and with paranoidChecks for tables).
  const again = await openAndRead(f, exp, 'reopen', {
    ...options,
    paranoidChecks: f.structure === 'sst',
  });
  if ('verdict' in again)
    return again.verdict === 'failure'
      ? again
      : {
          verdict: 'failure',
          phase: 'reopen',
          reason: `damage reported only on the second open: ${again.file}@${again.offset}`,
        };
  if (!again.labels.includes(state))
    return {
      verdict: 'failure',
      phase: 'reopen',
      reason: `state ${state} after the first open, ${again.labels} after the second`,
    };
  return { verdict: 'harmless', state };
}
