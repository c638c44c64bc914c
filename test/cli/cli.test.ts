// The granite CLI as a user runs it: the real binary (node dist/src/cli/main.js) in child processes, against
// databases written by the engine in this process. Covers every command, --help on each, every documented
// error path (one line on stderr, exit 1, no stack trace), and the progress bar under a pseudo-terminal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraniteDB, WriteBatch } from '../../src/index.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const COMMANDS = [
  'put',
  'get',
  'del',
  'scan',
  'stats',
  'compact',
  'check',
  'dump-sst',
  'dump-wal',
  'dump-manifest',
  'load',
  'bench',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function granite(args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A user mistake: exit 1, exactly one line on stderr matching `pattern`, no stack trace, nothing on stdout. */
function assertUserError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit status (stderr: ${r.stderr})`);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${JSON.stringify(r.stderr)}`);
  assert.ok(r.stderr.startsWith('granite: '), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '');
}

let root: string;
let seq = 0;
function freshDir(): string {
  return join(root, `db${seq++}`);
}

/** A database written by the engine: `n` keys k0000.., values v0.., flushed to a table, then `walOnly` more
 *  keys left in the WAL (w0..). */
async function makeDb(n: number, walOnly = 0): Promise<string> {
  const dir = freshDir();
  const db = await GraniteDB.open(dir);
  const b = new WriteBatch();
  for (let i = 0; i < n; i++) b.put(`k${String(i).padStart(4, '0')}`, `v${i}`);
  if (n > 0) await db.write(b);
  await db.flush();
  for (let i = 0; i < walOnly; i++) await db.put(`w${i}`, `x${i}`);
  await db.close();
  return dir;
}

function filesOf(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(suffix) || n.startsWith(suffix))
    .sort();
}

function flipByte(file: string, offset: number): void {
  const b = readFileSync(file);
  b[offset] = b[offset]! ^ 0xff;
  writeFileSync(file, b);
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'granite-cli-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('help', () => {
  test('--help works for the program and every command', async () => {
    const top = await granite(['--help']);
    assert.equal(top.code, 0);
    for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`\\b${c}\\b`));
    const runs = await Promise.all(COMMANDS.map((c) => granite([c, '--help'])));
    runs.forEach((r, i) => {
      assert.equal(r.code, 0, COMMANDS[i]);
      assert.match(r.stdout, new RegExp(`Usage: granite ${COMMANDS[i]}`));
    });
  });
});

describe('reads and writes', () => {
  test('put, get, del round trip; --create makes a new database', async () => {
    const dir = freshDir();
    assert.equal((await granite(['put', 'a', 'one', '--db', dir, '--create'])).code, 0);
    assert.equal((await granite(['put', 'b', 'two', '--db', dir])).code, 0);
    const g = await granite(['get', 'a', '--db', dir]);
    assert.equal(g.code, 0);
    assert.equal(g.stdout, 'one\n');
    assert.equal((await granite(['del', 'a', '--db', dir])).code, 0);
    assertUserError(await granite(['get', 'a', '--db', dir]), /not found: a/);
    const db = await GraniteDB.open(dir);
    assert.equal((await db.get('b'))?.toString(), 'two');
    await db.close();
  });

  test('--db defaults to ./granite-data', async () => {
    const cwd = freshDir();
    mkdirSync(cwd, { recursive: true });
    assert.equal((await granite(['put', 'k', 'v', '--create'], cwd)).code, 0);
    assert.ok(readdirSync(join(cwd, 'granite-data')).includes('CURRENT'));
    assert.equal((await granite(['get', 'k'], cwd)).stdout, 'v\n');
  });

  test('hex and base64 encodings, in and out', async () => {
    const dir = await makeDb(0);
    assert.equal((await granite(['put', '00ff', 'cafe', '--db', dir, '--encoding', 'hex'])).code, 0);
    assert.equal((await granite(['get', 'AP8=', '--db', dir, '--encoding', 'base64'])).stdout, 'yv4=\n');
    const s = await granite(['scan', '--db', dir, '--encoding', 'hex', '--json']);
    assert.deepEqual(JSON.parse(s.stdout), { key: '00ff', value: 'cafe' });
    // utf8 human output escapes bytes that would garble a terminal
    assert.equal((await granite(['scan', '--db', dir])).stdout, '\\x00\\xff\t\\xca\\xfe\n');
  });

  test('scan: prefix, start, end, limit, reverse, json, keys-only', async () => {
    const dir = await makeDb(20, 3);
    const keys = async (...a: string[]): Promise<string[]> => {
      const r = await granite(['scan', '--db', dir, '--keys-only', ...a]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split('\n').filter((l) => l !== '');
    };
    assert.equal((await keys()).length, 23);
    assert.deepEqual(await keys('--prefix', 'w'), ['w0', 'w1', 'w2']);
    assert.deepEqual(await keys('--start', 'k0018', '--end', 'w1'), ['k0018', 'k0019', 'w0']);
    assert.deepEqual(await keys('--limit', '2', '--reverse'), ['w2', 'w1']);
    assert.deepEqual(await keys('--prefix', 'k001', '--start', 'k0015', '--limit', '2'), ['k0015', 'k0016']);
    const j = await granite(['scan', '--db', dir, '--json', '--prefix', 'k0001']);
    assert.deepEqual(JSON.parse(j.stdout), { key: 'k0001', value: 'v1' });
    const h = await granite(['scan', '--db', dir, '--prefix', 'w0']);
    assert.equal(h.stdout, 'w0\tx0\n');
  });

  test('stats: human and --json', async () => {
    const dir = await makeDb(100, 2);
    const h = await granite(['stats', '--db', dir]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /^sequence\s+102$/m);
    assert.match(h.stdout, /^L0\s+1\s/m);
    assert.match(h.stdout, /files on disk/);
    const j = JSON.parse((await granite(['stats', '--db', dir, '--json'])).stdout);
    assert.equal(j.seq, 102);
    assert.equal(j.levels[0].files, 1);
    assert.equal(j.disk.table.files, 1);
    assert.ok(typeof j.counters === 'object');
  });

  test('compact keeps every entry', async () => {
    const dir = await makeDb(50, 5);
    const r = await granite(['compact', '--db', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^after: /m);
    assert.doesNotMatch(r.stdout, /\r/, 'no progress bar when stdout is not a terminal');
    const s = await granite(['scan', '--db', dir, '--keys-only']);
    assert.equal(s.stdout.trim().split('\n').length, 55);
  });
});

describe('load', () => {
  test('newline-delimited JSON and CSV (quoted fields, header), in batches', async () => {
    const dir = await makeDb(0);
    const nd = join(root, 'in.ndjson');
    writeFileSync(
      nd,
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ key: `n${i}`, value: `val ${i}` })).join('\n') +
        '\n',
    );
    const r = await granite(['load', nd, '--db', dir, '--batch-size', '10']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'loaded 25 records in 3 batches\n');
    const csv = join(root, 'in.csv');
    writeFileSync(csv, 'key,value\nc1,"a,b"\nc2,"say ""hi"""\r\nc3,plain\n');
    assert.equal((await granite(['load', csv, '--db', dir])).stdout, 'loaded 3 records in 1 batches\n');
    assert.equal((await granite(['get', 'c2', '--db', dir])).stdout, 'say "hi"\n');
    assert.equal((await granite(['get', 'c1', '--db', dir])).stdout, 'a,b\n');
    const hex = join(root, 'hex.txt');
    writeFileSync(hex, '{"key":"0001","value":"ff"}\n');
    assert.equal(
      (await granite(['load', hex, '--db', dir, '--format', 'ndjson', '--encoding', 'hex'])).code,
      0,
    );
    assert.equal((await granite(['get', '0001', '--db', dir, '--encoding', 'hex'])).stdout, 'ff\n');
  });

  test('a bad line names file and line; earlier batches stay', async () => {
    const dir = await makeDb(0);
    const f = join(root, 'bad.ndjson');
    writeFileSync(f, '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\nnot json\n');
    assertUserError(
      await granite(['load', f, '--db', dir, '--batch-size', '1']),
      /bad\.ndjson:3: not valid JSON \(2 records before it were loaded\)/,
    );
    const g = join(root, 'bad.csv');
    writeFileSync(g, 'a,1,extra\n');
    assertUserError(await granite(['load', g, '--db', dir]), /bad\.csv:1: expected 2 fields/);
    const e = join(root, 'empty-key.csv');
    writeFileSync(e, ',v\n');
    assertUserError(await granite(['load', e, '--db', dir]), /empty-key\.csv:1: key must not be empty/);
  });
});

describe('check', () => {
  test('a sound database passes', async () => {
    const dir = await makeDb(200, 10);
    const r = await granite(['check', '--db', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ok: MANIFEST-\d+ \(\d+ records\), 1 tables \(\d+ blocks\), \d+ WALs \(\d+ records\), 210 live entries\n$/,
    );
  });

  test('a damaged table block: exit 1 naming the file and the offset', async () => {
    const dir = await makeDb(200);
    const sst = filesOf(dir, '.sst')[0]!;
    flipByte(join(dir, sst), 10);
    const r = await granite(['check', '--db', dir]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`^granite: corruption in ${sst} at offset 0: block checksum mismatch$`, 'm'),
    );
    assert.match(r.stderr, /check failed: 1 problem/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('a damaged WAL record followed by intact ones', async () => {
    const dir = await makeDb(0, 5);
    const wal = filesOf(dir, '.log').at(-1)!;
    flipByte(join(dir, wal), 9); // inside the first record's payload
    const r = await granite(['check', '--db', dir]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`corruption in ${wal} at offset 0: log record damaged: checksum mismatch`),
    );
  });

  test('a damaged MANIFEST', async () => {
    const dir = await makeDb(10);
    const m = filesOf(dir, 'MANIFEST-')[0]!;
    flipByte(join(dir, m), 12);
    const r = await granite(['check', '--db', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`corruption in ${m} at offset 0: `));
  });

  test('a table the MANIFEST names is missing', async () => {
    const dir = await makeDb(10);
    const sst = filesOf(dir, '.sst')[0]!;
    rmSync(join(dir, sst));
    const r = await granite(['check', '--db', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`corruption in ${sst}: table named by the MANIFEST is missing`));
  });
});

describe('dump', () => {
  test('dump-sst: human and --json from the engine decoder', async () => {
    const dir = await makeDb(30);
    const sst = join(dir, filesOf(dir, '.sst')[0]!);
    const h = await granite(['dump-sst', sst]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /^table \d+\.sst: .*data blocks/);
    assert.match(h.stdout, /entries 30 \(0 deletions\)/);
    assert.match(h.stdout, /^ {2}@1 put k0000 => v0$/m);
    const j = JSON.parse((await granite(['dump-sst', sst, '--json'])).stdout);
    assert.equal(j.properties.entries, 30);
    const entries = j.blocks.flatMap((b: { entries: unknown[] }) => b.entries);
    assert.deepEqual(entries[29], { key: 'k0029', seq: 30, kind: 'put', value: 'v29' });
  });

  test('dump-wal: batches with sequence numbers; damage reported after the listing', async () => {
    const dir = freshDir();
    const db = await GraniteDB.open(dir);
    await db.write(new WriteBatch().put('a', '1').delete('b'));
    await db.put('c', '3');
    await db.close();
    const wal = join(dir, filesOf(dir, '.log').at(-1)!);
    const h = await granite(['dump-wal', wal]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /record @0: seq 1, 2 ops\n {2}@1 put a => 1\n {2}@2 del b\n/);
    assert.match(h.stdout, /seq 3, 1 ops\n {2}@3 put c => 3\n/);
    const j = JSON.parse((await granite(['dump-wal', wal, '--json', '--encoding', 'hex'])).stdout);
    assert.deepEqual(j.records[1].ops, [{ seq: 3, kind: 'put', key: '63', value: '33' }]);
    flipByte(wal, 9);
    const d = await granite(['dump-wal', wal]);
    assert.equal(d.code, 1);
    assert.match(d.stdout, /@3 put c => 3/, 'intact records are still listed');
    assert.match(
      d.stderr,
      /^granite: corruption in \d+\.log at offset 0: log record damaged: checksum mismatch\n$/,
    );
  });

  test('dump-manifest: every version edit', async () => {
    const dir = await makeDb(5);
    const m = join(dir, filesOf(dir, 'MANIFEST-')[0]!);
    const h = await granite(['dump-manifest', m]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /^record @0: format 1, log number \d+/m);
    assert.match(h.stdout, /^ {2}\+ L0 \d+\.sst .*keys k0000 @1 \.\. k0004 @5/m);
    const j = JSON.parse((await granite(['dump-manifest', m, '--json'])).stdout);
    assert.equal(j.records[0].edit.formatVersion, 1);
  });
});

describe('user mistakes: one line, exit 1, no stack trace', () => {
  test('missing database', async () => {
    const dir = join(root, 'nothing-here');
    for (const args of [
      ['get', 'a'],
      ['put', 'a', 'b'],
      ['del', 'a'],
      ['scan'],
      ['stats'],
      ['compact'],
      ['check'],
    ]) {
      assertUserError(
        await granite([...args, '--db', dir]),
        new RegExp(`^granite: no database at ${dir}\n$`),
      );
    }
    const f = join(root, 'x.ndjson');
    writeFileSync(f, '');
    assertUserError(await granite(['load', f, '--db', dir]), /no database at/);
  });

  test('database in use by another process', async () => {
    const dir = await makeDb(3);
    const db = await GraniteDB.open(dir); // this process holds the lock
    try {
      for (const args of [['get', 'k0000'], ['put', 'a', 'b'], ['scan'], ['stats'], ['check'], ['compact']]) {
        assertUserError(
          await granite([...args, '--db', dir]),
          /^granite: database is in use by another process\n$/,
        );
      }
    } finally {
      await db.close();
    }
  });

  test('bad flags, values, commands and arguments', async () => {
    const dir = await makeDb(1);
    assertUserError(await granite(['scan', '--db', dir, '--bogus']), /unknown option '--bogus'/);
    assertUserError(await granite(['scan', '--db', dir, '--limit', '-1']), /--limit must be a whole number/);
    assertUserError(
      await granite(['scan', '--db', dir, '--encoding', 'latin1']),
      /Allowed choices are utf8, hex, base64/,
    );
    assertUserError(await granite(['frobnicate']), /unknown command 'frobnicate'/);
    assertUserError(await granite(['get', '--db', dir]), /missing required argument 'key'/);
    assertUserError(await granite(['get', 'zz', '--db', dir, '--encoding', 'hex']), /key is not valid hex/);
    assertUserError(await granite(['put', '', 'v', '--db', dir]), /key must not be empty/);
    assertUserError(await granite(['load', 'x.txt', '--db', dir]), /cannot tell the format of x\.txt/);
    assertUserError(
      await granite(['load', 'x.csv', '--db', dir, '--batch-size', '0']),
      /--batch-size must be a positive/,
    );
  });

  test('unreadable files', async () => {
    const dir = await makeDb(1);
    for (const c of ['dump-sst', 'dump-wal', 'dump-manifest']) {
      assertUserError(
        await granite([c, join(root, 'missing.file')]),
        /cannot read .*missing\.file: no such file/,
      );
    }
    assertUserError(await granite(['dump-wal', root]), /cannot read .*: is a directory/);
    assertUserError(
      await granite(['load', join(root, 'missing.csv'), '--db', dir]),
      /cannot read .*: no such file/,
    );
    assertUserError(await granite(['load', join(root, 'dir.csv'), '--db', dir]), /cannot read/);
    // not a table: the engine's decoder reports it
    const junk = join(root, 'junk.sst');
    writeFileSync(junk, 'not a table');
    assertUserError(await granite(['dump-sst', junk]), /corruption in junk\.sst at offset 0: .*too short/);
  });
});

describe('progress bar', () => {
  test('renders under a pseudo-terminal and ends cleanly', async () => {
    const haveScript = spawnSync('script', ['--version']).status === 0;
    const haveTmux = spawnSync('tmux', ['-V']).status === 0;
    assert.ok(
      haveScript || haveTmux,
      'this test needs a pseudo-terminal: install util-linux `script` or `tmux` (neither was found on PATH)',
    );
    const dir = await makeDb(0);
    const f = join(root, 'big.ndjson');
    writeFileSync(
      f,
      Array.from({ length: 20000 }, (_, i) => JSON.stringify({ key: `key${i}`, value: 'v'.repeat(20) })).join(
        '\n',
      ),
    );
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const g = `${q(process.execPath)} ${q(MAIN)}`;
    const cmd = `${g} load ${q(f)} --db ${q(dir)} && ${g} check --db ${q(dir)} && ${g} compact --db ${q(dir)}`;
    let out: string;
    if (haveScript) {
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      out = r.stdout.replace(/\r\n/g, '\n');
      // In place: redraws start with \r and the finished bar is followed by a newline before the summary.
      assert.match(out, /\rloading \[[#-]+\] +0% {2}0 B \/ [\d.]+ KB/);
      assert.match(
        out,
        /\rloading \[#+\] 100% {2}[\d.]+ KB \/ [\d.]+ KB *\nloaded 20000 records in 20 batches\n/,
      );
      assert.match(out, /\rchecking \[#+\] 100% {2}(\d+) \/ \1 *\nok: /);
      assert.match(out, /\rcompacting \[#+\] {2}done in [\d.]+s *\nbefore: /);
    } else {
      const session = `granite-test-${process.pid}`;
      const done = join(root, 'tmux-done');
      spawnSync('tmux', [
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '120',
        '-y',
        '30',
        `${cmd}; touch ${q(done)}; sleep 60`,
      ]);
      try {
        const deadline = Date.now() + 60_000;
        while (!readdirSync(root).includes('tmux-done') && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        out = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
      } finally {
        spawnSync('tmux', ['kill-session', '-t', session]);
      }
      assert.match(out, /^loading \[#+\] 100% .*\nloaded 20000 records in 20 batches$/m);
      assert.match(out, /^checking \[#+\] 100% .*\nok: /m);
    }
    // Without a terminal: no bar at all.
    const plain = await granite(['check', '--db', dir]);
    assert.equal(plain.code, 0);
    assert.doesNotMatch(plain.stdout, /\r|checking/);
  });
});
