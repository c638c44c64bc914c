// Crash tests across processes (STYLE.md "Tests"): a child (writer.ts) streams writes and acknowledges each
// on stdout; the parent SIGKILLs it at a random moment, reopens, and checks that every acknowledged write is
// present with its value, that every batch is all or nothing, and that reopening never fails. Several rounds
// per mode share one directory, so recovery also runs over the previous rounds' files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GraniteDB } from '../../src/index.js';
import { makeTempDir, removeDir, Rng, seedFromEnv } from '../../src/testing/index.js';
import { crashValue } from './values.js';

const WRITER = fileURLToPath(new URL('./writer.js', import.meta.url));
const seed = seedFromEnv();
console.log(`sigkill.test seed=${seed} (rerun with SEED=${seed})`);
const rng = new Rng(seed);

/** Runs the writer until `killAfterMs` after it is ready, SIGKILLs it, returns the acknowledged numbers. */
function runAndKill(dir: string, mode: string, round: number, memtableSize: number, killAfterMs: number) {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, mode, String(round), String(memtableSize)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      if (timer === undefined && out.startsWith('ready\n')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
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
      let last = -1;
      for (const l of lines.slice(1)) {
        const n = Number(/^ack (\d+)$/.exec(l)?.[1] ?? NaN);
        assert.equal(n, last + 1, `acks in order: ${l}`);
        last = n;
      }
      resolve(last);
    });
  });
}

async function check(dir: string, mode: string, round: number, lastAck: number): Promise<number> {
  const db = await GraniteDB.open(dir, { memtableSize: 1 << 20 });
  try {
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
        const lastAck = await runAndKill(dir, mode, round, memtableSize, killAfter);
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
