// CI variant of the kill loop (`npm run crashtest` is the long one): 24 SIGKILL cycles on one directory, with
// both compaction styles, worker threads, tiny memtables and targets; plus the judge's own tests (a verdict
// that cannot say "lost", "resurrected" or "partial" would make the loop pass whatever the engine does).
// Reproduce with SEED=<printed seed>, or the long runner: node dist/test/reliability/crashtest/main.js
// --cycles 24 --seed <seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, removeDir, seedFromEnv } from '../../../src/testing/index.js';
import { ExpectedState, judge } from './expected.js';
import { runKillLoop } from './loop.js';
import { beginLine, ackLine, parseJournal, valueFor, type Op } from './workload.js';

const CYCLES = 24;

test(`kill loop: ${CYCLES} SIGKILL cycles, no acknowledged write lost, no delete undone, batches atomic`, async () => {
  const seed = seedFromEnv();
  const replay = `SEED=${seed} node --test dist/test/reliability/crashtest/crashtest.test.js`;
  console.log(`crashtest.test seed=${seed} (rerun with ${replay})`);
  const dir = makeTempDir('granite-crashtest-');
  const s = await runKillLoop({ seed, cycles: CYCLES, dir });
  const figures = JSON.stringify({ ...s, failures: s.failures.length });
  console.log(`crashtest.test: ${figures}`);
  if (s.failures.length > 0) {
    const f = s.failures[0]!;
    assert.fail(
      `cycle ${f.cycle} failed (directory kept in ${dir}; replay: ${replay}):\n  ${f.problems.slice(0, 20).join('\n  ')}`,
    );
  }
  removeDir(dir);
  assert.equal(s.cyclesRun, CYCLES);
  // The loop did what it is for: both styles, sync and non-sync acks, batches, compaction and flush under way
  // at kills.
  assert.ok(s.styles.leveled > 0 && s.styles.tiered > 0, figures);
  assert.ok(s.syncAcked > 0 && s.nonSyncAcked > 0 && s.batchesAcked > 0, figures);
  assert.ok(s.compactionsBeforeKills > 0 && s.killsDuringCompaction > 0, figures);
  assert.ok(s.killsWithFlushPending > 0, figures);
});

// ------------------------------------------------------------------ the judge

const put = (k: string, len: number): Op => ({ t: 'put', k, len, sync: false });
const del = (k: string): Op => ({ t: 'del', k, sync: true });
const batch = (...e: [string, number][]): Op => ({
  t: 'batch',
  e: e.map(([k, len]) => ({ k, len })),
  sync: false,
});

function journalOf(ops: Op[], acked: number[]): string {
  return ops.map((op, i) => beginLine(i, op)).join('') + acked.map(ackLine).join('');
}
function stateOf(entries: [string, Buffer][]): Map<string, Buffer> {
  return new Map(entries);
}

const ops: Op[] = [put('a', 10), del('b'), batch(['c', 5], ['d', -1], ['e', 7]), put('f', 3)];
function before(): ExpectedState {
  const m = new ExpectedState();
  m.apply(0, 0, put('b', 4));
  m.apply(0, 1, put('d', 4));
  return m;
}

test('judge: the state after any prefix from the last ack on is accepted, and becomes the model', () => {
  const j = parseJournal(journalOf(ops, [0, 1]));
  const after2 = stateOf([
    ['a', valueFor(1, 0, 0, 10)],
    ['d', valueFor(0, 1, 0, 4)],
  ]);
  const v = judge(before(), 1, j, after2);
  assert.deepEqual(v.problems, []);
  assert.equal(v.prefix, 2);
  const after3 = stateOf([
    ['a', valueFor(1, 0, 0, 10)],
    ['c', valueFor(1, 2, 0, 5)],
    ['e', valueFor(1, 2, 2, 7)],
  ]);
  const w = judge(before(), 1, j, after3);
  assert.deepEqual(w.problems, []);
  assert.equal(w.prefix, 3);
  assert.equal(w.state!.live.size, 3);
});

test('judge: a lost acknowledged write, a resurrected delete and a partial batch are each reported', () => {
  const j = parseJournal(journalOf(ops, [0, 1]));
  const lost = judge(before(), 1, j, stateOf([['d', valueFor(0, 1, 0, 4)]]));
  assert.match(lost.problems.join('\n'), /acknowledged write lost: key a/);
  const back = judge(
    before(),
    1,
    j,
    stateOf([
      ['a', valueFor(1, 0, 0, 10)],
      ['b', valueFor(0, 0, 0, 4)],
      ['d', valueFor(0, 1, 0, 4)],
    ]),
  );
  assert.match(back.problems.join('\n'), /deleted key b resurrected/);
  // The batch put c but neither deleted d nor put e.
  const partial = judge(
    before(),
    1,
    j,
    stateOf([
      ['a', valueFor(1, 0, 0, 10)],
      ['c', valueFor(1, 2, 0, 5)],
      ['d', valueFor(0, 1, 0, 4)],
    ]),
  );
  assert.match(partial.problems.join('\n'), /no prefix of the in-flight ops/);
  assert.equal(partial.state, undefined);
  // A later op applied without an earlier one: writes apply in call order.
  const skipped = judge(
    before(),
    1,
    j,
    stateOf([
      ['a', valueFor(1, 0, 0, 10)],
      ['d', valueFor(0, 1, 0, 4)],
      ['f', valueFor(1, 3, 0, 3)],
    ]),
  );
  assert.match(skipped.problems.join('\n'), /no prefix/);
});

test('journal: a line cut by the kill is ignored; an ack before its begin is a child bug', () => {
  const text = journalOf(ops.slice(0, 2), [0]) + 'A 1';
  assert.deepEqual(parseJournal(text).acked, [0]);
  assert.throws(() => parseJournal('A 0\n'), /before it began/);
});
