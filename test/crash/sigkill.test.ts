// Crash tests across processes (STYLE.md "Tests"): a child (writer.ts) streams writes and acknowledges each
// on stdout; the parent SIGKILLs it at a random moment, reopens, and checks that every acknowledged write is
// present with its value, that every batch is all or nothing, and that reopening never fails. Several rounds
// per mode share one directory, so recovery also runs over the previous rounds' files.
// Compaction modes run the writer with compactionOptions() (4 KiB memtables and target files, L0 trigger 2)
// for both styles, and aim the kill: after the random delay, at the next acknowledgement that reports a
// flush pending (immutable memtable) or a compaction under way. After each reopen no file may be orphaned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GraniteDB, type Options } from '../../src/index.js';
import { makeTempDir, orphanProblems, removeDir, Rng, seedFromEnv } from '../../src/testing/index.js';
import { crashValue } from './values.js';

const WRITER = fileURLToPath(new URL('./writer.js', import.meta.url));
const seed = seedFromEnv();
console.log(`sigkill.test seed=${seed} (rerun with SEED=${seed})`);
const rng = new Rng(seed);

type Preset = 'default' | 'leveled' | 'tiered';
/** When to kill once the delay is over: at once, or at the next ack reporting that state. */
type Target = 'random' | 'flush' | 'compaction';

interface Killed {
  lastAck: number;
  /** The child's counters at its last complete ack (this process only). */
  flushes: number;
  compactions: number;
  /** True when the kill was sent at an ack reporting the target state. */
  onTarget: boolean;
}

/** Runs the writer, SIGKILLs it `killAfterMs` after it is ready (or at the next ack reporting `target` after
 *  that, giving up 3 s later), and returns what it acknowledged. */
function runAndKill(
  dir: string,
  mode: string,
  round: number,
  memtableSize: number,
  killAfterMs: number,
  preset: Preset = 'default',
  target: Target = 'random',
) {
  return new Promise<Killed>((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, mode, String(round), String(memtableSize), preset], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    let armed = false;
    let sent = false;
    let onTarget = false;
    const kill = (): void => {
      if (sent) return;
      sent = true;
      child.kill('SIGKILL');
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      if (timer === undefined && out.startsWith('ready\n')) {
        timer = setTimeout(() => {
          if (target === 'random') return kill();
          armed = true;
          timer = setTimeout(kill, 3000);
        }, killAfterMs);
      }
      if (armed && !sent) {
        // The last complete line: does it report the state we aim at?
        const lines = out.split('\n');
        const m = /^ack \d+ \d+ \d+ ([01]) (\d+)$/.exec(lines[lines.length - 2] ?? '');
        if (m !== null && (target === 'compaction' ? m[1] === '1' : Number(m[2]) > 0)) {
          onTarget = true;
          kill();
        }
      }
    });
    child.stderr.on('data', (s: Buffer) => (err += s.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited with ${code}/${signal} before the kill: ${err}`));
        return;
      }
      // Only complete lines count: a line cut by the kill was not acknowledged.
      const lines = out.split('\n').slice(0, -1);
      const k: Killed = { lastAck: -1, flushes: 0, compactions: 0, onTarget };
      for (const l of lines.slice(1)) {
        const m = /^ack (\d+) (\d+) (\d+) [01] \d+$/.exec(l);
        assert.ok(m !== null, `ack line: ${l}`);
        assert.equal(Number(m[1]), k.lastAck + 1, `acks in order: ${l}`);
        k.lastAck = Number(m[1]);
        k.flushes = Number(m[2]);
        k.compactions = Number(m[3]);
      }
      resolve(k);
    });
  });
}

/** Reopen options for checking: compaction held off (triggers out of reach), so that right after open the
 *  directory shows exactly what recovery left. */
function checkOptions(preset: Preset): Partial<Options> {
  return {
    memtableSize: 1 << 20,
    compactionStyle: preset === 'tiered' ? 'tiered' : 'leveled',
    level0CompactionTrigger: 1000,
    level0SlowdownTrigger: 1000,
    level0StopTrigger: 1000,
  };
}

async function check(
  dir: string,
  mode: string,
  round: number,
  lastAck: number,
  preset: Preset = 'default',
): Promise<number> {
  const db = await GraniteDB.open(dir, checkOptions(preset));
  try {
    // Recovery deleted whatever the crash left unreferenced (half-written compaction outputs, old WALs).
    assert.deepEqual(
      orphanProblems(readdirSync(dir), db.stats()),
      [],
      `round ${round}: orphans after reopen`,
    );
    if (mode === 'batch') {
      let present = 0;
      for (let n = 0; ; n++) {
        const keys = Array.from({ length: 5 }, (_, j) => `r${round}/b${n}/${j}`);
        const vs = await db.getMany(keys);
        const have = vs.filter((v) => v !== undefined).length;
        assert.ok(have === 0 || have === 5, `round ${round} batch ${n} is partial: ${have} of 5`);
        if (have === 0) {
          assert.ok(n > lastAck, `round ${round}: acknowledged batch ${n} (of ${lastAck}) is missing`);
          break;
        }
        for (const [j, v] of vs.entries()) assert.equal(v!.toString(), crashValue(round, n * 10 + j));
        present++;
      }
      return present;
    }
    let present = 0;
    for (let n = 0; ; n++) {
      const v = await db.get(`r${round}/k${n}`);
      if (v === undefined) {
        assert.ok(n > lastAck, `round ${round}: acknowledged put ${n} (of ${lastAck}) is missing`);
        break;
      }
      assert.equal(v.toString(), crashValue(round, n), `round ${round} put ${n}`);
      present++;
    }
    // Nothing beyond the first gap: writes are applied in order.
    for (let n = present + 1; n < present + 50; n++) assert.equal(await db.get(`r${round}/k${n}`), undefined);
    return present;
  } finally {
    await db.close();
  }
}

const MODES: { mode: string; memtableSize: number; rounds: number }[] = [
  { mode: 'sync', memtableSize: 16384, rounds: 3 },
  { mode: 'nosync', memtableSize: 16384, rounds: 3 },
  { mode: 'batch', memtableSize: 8192, rounds: 3 },
  { mode: 'flush', memtableSize: 4096, rounds: 3 },
];

for (const { mode, memtableSize, rounds } of MODES) {
  test(`SIGKILL while writing (${mode}, memtableSize ${memtableSize}): acknowledged writes survive`, async () => {
    const dir = makeTempDir('granite-crash-');
    try {
      for (let round = 0; round < rounds; round++) {
        const killAfter = rng.range(50, 500);
        const { lastAck } = await runAndKill(dir, mode, round, memtableSize, killAfter);
        const present = await check(dir, mode, round, lastAck);
        assert.ok(present >= lastAck + 1);
        // The earlier rounds are intact too.
        for (let r = 0; r < round; r++) await check(dir, mode, r, -1);
      }
    } finally {
      removeDir(dir);
    }
  });
}

// ------------------------------------------------------------------ with compaction running all the time

const COMPACTION_MODES: { mode: string; preset: Preset; rounds: number }[] = [
  { mode: 'sync', preset: 'leveled', rounds: 5 },
  { mode: 'batch', preset: 'leveled', rounds: 4 },
  { mode: 'sync', preset: 'tiered', rounds: 5 },
  { mode: 'batch', preset: 'tiered', rounds: 4 },
];
const TARGETS: Target[] = ['compaction', 'flush', 'compaction', 'random'];

for (const { mode, preset, rounds } of COMPACTION_MODES) {
  test(`SIGKILL during flush and compaction (${preset}, ${mode}, 4 KiB memtables and target files)`, async () => {
    const dir = makeTempDir('granite-crash-compact-');
    const seen: string[] = [];
    let compacted = 0;
    let onCompaction = 0;
    let onFlush = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        const target = TARGETS[round % TARGETS.length]!;
        const killAfter = rng.range(100, 600);
        const k = await runAndKill(dir, mode, round, 4096, killAfter, preset, target);
        const missed = target !== 'random' && !k.onTarget ? ' (missed)' : '';
        seen.push(
          `${target}${missed}: ${k.lastAck + 1} acks, ${k.flushes} flushes, ${k.compactions} compactions`,
        );
        // A round counts when a compaction finished before the kill or the kill landed inside one.
        if (k.compactions > 0 || (k.onTarget && target === 'compaction')) compacted++;
        if (k.onTarget && target === 'compaction') onCompaction++;
        if (k.onTarget && target === 'flush') onFlush++;
        const present = await check(dir, mode, round, k.lastAck, preset);
        assert.ok(present >= k.lastAck + 1);
        for (let r = 0; r < round; r++) await check(dir, mode, r, -1, preset);
      }
      console.log(`sigkill ${preset}/${mode}: ${seen.join('; ')}`);
      // The point of these rounds: compactions ran in most of them, and kills landed while one was under way.
      assert.ok(compacted >= Math.ceil(rounds / 2), `compactions before the kill: ${seen.join('; ')}`);
      assert.ok(onCompaction >= 1, `a kill during a compaction: ${seen.join('; ')}`);
      assert.ok(onFlush >= 1, `a kill with a flush pending: ${seen.join('; ')}`);
    } finally {
      removeDir(dir);
    }
  });
}
