// Worker threads run at a lower CPU priority than the main thread (ADR 0015): `backgroundNice` is added to
// the compaction worker's niceness on Linux, the main thread keeps its own, and 0 leaves workers alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { GraniteDB } from '../../src/index.js';
import { makeTempDir, removeDir } from '../../src/testing/index.js';

const linuxOnly = process.platform === 'linux' ? false : 'thread niceness is set through /proc on Linux only';

/** Niceness of every thread of this process, by thread id (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceness(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

const mainNice = (): number => threadNiceness().get(process.pid)!;

test('lowerThreadPriority lowers the calling thread only, capped at 19', { skip: linuxOnly }, async () => {
  const moduleUrl = new URL('../../src/compaction/worker/priority.js', import.meta.url).href;
  const run = (by: number): Promise<{ tid: number; nice: number | null; seen: number }> =>
    new Promise((resolve, reject) => {
      const w = new Worker(
        `import('${moduleUrl}').then(async (m) => {
           const { parentPort, workerData } = await import('node:worker_threads');
           const { readFileSync } = await import('node:fs');
           const nice = m.lowerThreadPriority(workerData.by) ?? null;
           const tid = m.currentThreadId();
           const stat = readFileSync('/proc/thread-self/stat', 'latin1');
           const seen = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
           parentPort.postMessage({ tid, nice, seen });
         });`,
        { eval: true, workerData: { by } },
      );
      w.once('message', (m: { tid: number; nice: number | null; seen: number }) => {
        void w.terminate();
        resolve(m);
      });
      w.once('error', reject);
    });
  const base = mainNice();
  const lowered = await run(5);
  assert.notEqual(lowered.tid, process.pid);
  assert.equal(lowered.nice, Math.min(19, base + 5));
  assert.equal(lowered.seen, Math.min(19, base + 5));
  const capped = await run(19);
  assert.equal(capped.seen, 19);
  const untouched = await run(0);
  assert.equal(untouched.nice, null);
  assert.equal(untouched.seen, base);
  assert.equal(mainNice(), base, 'the main thread keeps its priority');
});

async function compactWithNice(backgroundNice: number): Promise<number[]> {
  const dir = await makeTempDir('granite-nice-');
  const db = await GraniteDB.open(dir, { backgroundThreads: 1, backgroundNice });
  try {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 500; i++) await db.put(`key${i}`, `value${round}-${i}`);
      await db.flush();
    }
    const before = new Set(threadNiceness().keys());
    await db.compactRange();
    // The worker started with the first compaction: its thread is one the process did not have before.
    const added = [...threadNiceness()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    assert.equal((await db.get('key499'))?.toString(), 'value1-499');
    return added;
  } finally {
    await db.close();
    await removeDir(dir);
  }
}

test('the compaction worker runs backgroundNice below the main thread', { skip: linuxOnly }, async () => {
  const base = mainNice();
  const lowered = await compactWithNice(7);
  assert.ok(lowered.includes(Math.min(19, base + 7)), `new threads' niceness: ${lowered.join(', ')}`);
  const same = await compactWithNice(0);
  assert.ok(same.length > 0 && same.every((n) => n === base), `new threads' niceness: ${same.join(', ')}`);
  assert.equal(mainNice(), base);
});
