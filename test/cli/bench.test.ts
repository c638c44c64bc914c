// `granite bench` as a user runs it: the real binary in child processes, on tiny sizes. Checks the shape of
// the output (a header, one row per workload in run order, numbers where numbers belong), the JSON document,
// where the scratch files go and that they are gone afterwards, and the user errors. No timing assertions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const NUMBER = /^(\d+(\.\d+)?[kM]?|–)$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let root: string;
let seq = 0;
const fresh = (): string => join(root, `d${seq++}`);

/** Runs granite with TMPDIR set to a fresh directory of its own, returned as `tmp`. */
function granite(args: string[]): Promise<Run & { tmp: string }> {
  const tmp = fresh();
  mkdirSync(tmp);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, tmp }));
  });
}

function assertUserError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit status (stderr: ${r.stderr})`);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${JSON.stringify(r.stderr)}`);
  assert.ok(r.stderr.startsWith('granite: '), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

/** The table rows (after the title and header lines), split into cells, without indented detail lines. */
function rows(stdout: string): string[][] {
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^granitedb \S+, \d+ workload\(s\) in /);
  assert.deepEqual(lines[1]!.split(/\s{2,}/), [
    'workload',
    'mode',
    'ops/s',
    'MB/s',
    'p50 µs',
    'p99 µs',
    'p99.9 µs',
  ]);
  return lines
    .slice(2)
    .filter((l) => !l.startsWith(' '))
    .map((l) => l.split(/\s{2,}/));
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'granite-bench-test-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('granite bench', () => {
  test('db_bench workloads: one row each, in run order; the temporary directory is removed', async () => {
    const r = await granite([
      'bench',
      '--workloads',
      'readrandom,fillrandom,readrandomsync,seekrandom',
      '--num',
      '2000',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const table = rows(r.stdout);
    // fillrandom fills the phase's database, so it runs first whatever the order asked
    assert.deepEqual(
      table.map((c) => c[0]),
      ['fillrandom', 'readrandom', 'readrandomsync', 'seekrandom'],
    );
    for (const cells of table) {
      assert.equal(cells.length, 7, cells.join('|'));
      for (const n of cells.slice(2)) assert.match(n, NUMBER, cells.join('|'));
      assert.notEqual(cells[2], '0', 'ops/s');
    }
    assert.deepEqual(table[0]!.slice(4), ['–', '–', '–'], 'batched fills have no per-op latency');
    assert.match(table[2]![1]!, /^sync$/);
    assert.deepEqual(readdirSync(r.tmp), [], 'scratch directory removed');
  });

  test('YCSB and --json: one document with every workload, per-operation latency, sizes as given', async () => {
    const r = await granite([
      'bench',
      '--workloads',
      'ycsb',
      '--records',
      '600',
      '--operations',
      '400',
      '--clients',
      '4',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      engine: string;
      sizes: { records: number; operations: number; clients: number };
      results: {
        workload: string;
        ops: number;
        opsPerSec: number;
        latency: { p50: number; p99: number; p999: number; count: number };
        opLatency?: Record<string, unknown>;
      }[];
    };
    assert.equal(doc.engine, 'granitedb');
    assert.deepEqual(
      { ...doc.sizes, num: undefined, sustainedNum: undefined },
      {
        records: 600,
        operations: 400,
        clients: 4,
        num: undefined,
        sustainedNum: undefined,
      },
    );
    assert.deepEqual(
      doc.results.map((x) => x.workload),
      ['ycsb-load', 'ycsb-a', 'ycsb-b', 'ycsb-c', 'ycsb-f', 'ycsb-d', 'ycsb-e'],
    );
    for (const x of doc.results) {
      assert.equal(x.ops, x.workload === 'ycsb-load' ? 600 : 400);
      assert.ok(x.opsPerSec > 0);
      assert.equal(x.latency.count, x.ops);
      assert.ok(x.latency.p50 <= x.latency.p99 && x.latency.p99 <= x.latency.p999, x.workload);
    }
    const ops = (w: string) => Object.keys(doc.results.find((x) => x.workload === w)!.opLatency!).sort();
    assert.deepEqual(ops('ycsb-c'), ['read']);
    assert.deepEqual(ops('ycsb-f'), ['read', 'rmw']);
    assert.ok(ops('ycsb-e').includes('scan'));
    assert.deepEqual(readdirSync(r.tmp), []);
  });

  test('sustained: the row and its detail lines', async () => {
    const r = await granite(['bench', '--workloads', 'sustained', '--sustained-num', '5000']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      rows(r.stdout).map((c) => c[0]),
      ['sustained'],
    );
    for (const what of [
      'interval rates',
      'stalls',
      'write amplification',
      'tree',
      'getSync p50 / p99 / p99.9 during writes .*; compacting after them .*; idle',
    ])
      assert.match(r.stdout, new RegExp(`\\n  ${what}`), what);
  });

  test('--dir: a new directory is removed, an empty one is left empty, a non-empty one is refused', async () => {
    const created = fresh();
    assert.equal(
      (await granite(['bench', '--workloads', 'fillseq', '--num', '500', '--dir', created])).code,
      0,
    );
    assert.equal(existsSync(created), false);

    const empty = fresh();
    mkdirSync(empty);
    const r = await granite(['bench', '--workloads', 'fillseq', '--num', '500', '--dir', empty]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`in ${empty}\\n`));
    assert.deepEqual(readdirSync(empty), []);

    const full = fresh();
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'data');
    const bad = await granite(['bench', '--dir', full]);
    assertUserError(bad, /is not empty/);
    assert.deepEqual(readdirSync(full), ['keep.txt']);
  });

  test('user errors: unknown workload, bad numbers, unknown flag', async () => {
    assertUserError(await granite(['bench', '--workloads', 'fillrandom,nope']), /unknown workload 'nope'/);
    assertUserError(await granite(['bench', '--num', '0']), /--num must be a positive number/);
    assertUserError(await granite(['bench', '--clients', 'x']), /--clients must be a positive number/);
    assertUserError(await granite(['bench', '--nmu', '5']), /unknown option '--nmu'/);
  });

  test('--help lists the workloads and groups', async () => {
    const r = await granite(['bench', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: granite bench/);
    for (const w of ['fillrandom', 'ycsb-a', 'ycsb-f', 'sustained', 'dbbench', 'ycsb (7)'])
      assert.ok(r.stdout.includes(w), w);
  });
});
