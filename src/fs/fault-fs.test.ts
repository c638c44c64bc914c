import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CRASHED, FaultInjectingFileSystem } from './fault-fs.js';
import { fileSystemContract } from './file-system-contract.js';
import type { FileSystem } from './file-system.js';
import { MemoryFileSystem } from './memory-fs.js';

fileSystemContract('FaultInjectingFileSystem', () => {
  const base = new MemoryFileSystem();
  base.mkdir('/db');
  return { fs: new FaultInjectingFileSystem(base), root: '/db' };
});

fileSystemContract('FaultInjectingFileSystem (root made through it, countReads on)', () => {
  const fs = new FaultInjectingFileSystem(new MemoryFileSystem(), { countReads: true });
  fs.mkdir('/x/db');
  return { fs, root: '/x/db' };
});

const b = (s: string): Buffer => Buffer.from(s);

/** A fault fs over a base holding the empty, durable directory /db. */
function setup(options = {}): FaultInjectingFileSystem {
  const base = new MemoryFileSystem();
  base.mkdir('/db');
  return new FaultInjectingFileSystem(base, options);
}

function write(fs: FileSystem, path: string, data: string): void {
  const f = fs.create(path);
  f.append(b(data));
  f.close();
}

function text(fs: FileSystem, path: string): string | undefined {
  return fs.exists(path) ? fs.readFile(path).toString() : undefined;
}

/** Every file in `fs` by path, contents as text (directories as '<dir>'). */
function snapshot(fs: FileSystem, dir = '/'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.list(dir)) {
    const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
    try {
      Object.assign(out, snapshot(fs, p));
      out[p] = '<dir>';
    } catch {
      out[p] = fs.readFile(p).toString('latin1');
    }
  }
  return out;
}

describe('crash: drop-unsynced', () => {
  test('a created file whose directory was never synced vanishes, even if the file was synced', async () => {
    const fs = setup();
    const f = fs.create('/db/000001.log');
    f.append(b('record'));
    await f.sync();
    assert.deepEqual(fs.crash('drop-unsynced').list('/db'), []);
    await fs.syncDir('/db');
    assert.equal(text(fs.crash('drop-unsynced'), '/db/000001.log'), 'record');
  });

  test('a file is cut back to its synced length', async () => {
    const fs = setup();
    const f = fs.create('/db/000001.log');
    await fs.syncDir('/db');
    assert.equal(text(fs.crash(), '/db/000001.log'), '');
    f.append(b('first;'));
    f.syncSync();
    f.append(b('second;'));
    assert.equal(text(fs.crash('drop-unsynced'), '/db/000001.log'), 'first;');
    await f.sync();
    f.append(b('third'));
    assert.equal(text(fs.crash('drop-unsynced'), '/db/000001.log'), 'first;second;');
    assert.equal(text(fs, '/db/000001.log'), 'first;second;third');
  });

  test('an unsynced rename reverts (CURRENT still names the old MANIFEST); a synced one stays', async () => {
    const fs = setup();
    write(fs, '/db/CURRENT', 'MANIFEST-000001\n');
    fs.syncAll();
    const t = fs.create('/db/CURRENT.dbtmp');
    t.append(b('MANIFEST-000002\n'));
    await t.sync();
    fs.rename('/db/CURRENT.dbtmp', '/db/CURRENT');
    const lost = fs.crash('drop-unsynced');
    assert.deepEqual(lost.list('/db'), ['CURRENT']);
    assert.equal(text(lost, '/db/CURRENT'), 'MANIFEST-000001\n');
    await fs.syncDir('/db');
    const kept = fs.crash('drop-unsynced');
    assert.deepEqual(kept.list('/db'), ['CURRENT']);
    assert.equal(text(kept, '/db/CURRENT'), 'MANIFEST-000002\n');
  });

  test('an unsynced unlink reverts and the file comes back with its durable content', async () => {
    const fs = setup();
    const f = fs.create('/db/000003.sst');
    f.append(b('table'));
    await f.sync();
    f.append(b('-tail'));
    f.close();
    await fs.syncDir('/db');
    fs.unlink('/db/000003.sst');
    assert.equal(fs.exists('/db/000003.sst'), false);
    assert.equal(text(fs.crash('drop-unsynced'), '/db/000003.sst'), 'table');
    await fs.syncDir('/db');
    assert.equal(fs.crash('drop-unsynced').exists('/db/000003.sst'), false);
  });

  test('an unsynced mkdir vanishes with everything in it; syncing the child alone is not enough', async () => {
    const fs = setup();
    fs.mkdir('/db/vlog/a');
    write(fs, '/db/vlog/a/seg', 'v');
    await fs.syncDir('/db/vlog/a');
    assert.deepEqual(fs.crash().list('/db'), []);
    await fs.syncDir('/db');
    assert.deepEqual(fs.crash().list('/db/vlog'), []);
    await fs.syncDir('/db/vlog');
    assert.deepEqual(fs.crash().list('/db/vlog/a'), ['seg']);
    assert.equal(text(fs.crash(), '/db/vlog/a/seg'), '');
  });

  test('an unsynced rmdir reverts', async () => {
    const fs = setup();
    fs.mkdir('/db/old');
    fs.syncAll();
    fs.rmdir('/db/old');
    assert.deepEqual(fs.crash().list('/db'), ['old']);
    await fs.syncDir('/db');
    assert.deepEqual(fs.crash().list('/db'), []);
  });

  test('create over a synced file: the old bytes survive until the new ones are synced', async () => {
    const fs = setup();
    write(fs, '/db/LOG', 'old log');
    fs.syncAll();
    const f = fs.create('/db/LOG');
    f.append(b('new'));
    assert.equal(text(fs.crash(), '/db/LOG'), 'old log');
    await f.sync();
    assert.equal(text(fs.crash(), '/db/LOG'), 'new');
  });

  test('a crash image is independent of the live file system', () => {
    const fs = setup();
    write(fs, '/db/a', 'x');
    fs.syncAll();
    const image = fs.crash();
    write(image, '/db/a', 'changed');
    assert.equal(text(fs, '/db/a'), 'x');
    assert.equal(text(fs.crash(), '/db/a'), 'x');
  });

  test('a directory renamed without syncing reverts with its own synced entries', async () => {
    const fs = setup();
    fs.mkdir('/db/a');
    write(fs, '/db/a/f', 'data');
    fs.syncAll();
    fs.rename('/db/a', '/db/b');
    write(fs, '/db/b/g', 'new');
    await fs.syncDir('/db/b');
    const image = fs.crash();
    assert.deepEqual(image.list('/db'), ['a']);
    assert.deepEqual(image.list('/db/a'), ['f', 'g']);
  });
});

describe('crash: keep-unsynced', () => {
  test('keeps everything as written, like a process crash', async () => {
    const fs = setup();
    const f = fs.create('/db/000001.log');
    f.append(b('synced;'));
    await f.sync();
    f.append(b('unsynced'));
    write(fs, '/db/CURRENT.tmp', 'M2');
    fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
    fs.mkdir('/db/d');
    const image = fs.crash('keep-unsynced');
    assert.deepEqual(snapshot(image), snapshot(fs));
    assert.equal(text(image, '/db/000001.log'), 'synced;unsynced');
    assert.equal(text(image, '/db/CURRENT'), 'M2');
  });
});

describe('crash: tear', () => {
  test('tear at every byte of the last write gives exactly that prefix', async () => {
    const fs = setup();
    const f = fs.create('/db/000001.log');
    await fs.syncDir('/db');
    f.append(b('durable|'));
    await f.sync();
    f.append(b('unsynced-1|'));
    const last = 'last-write';
    f.append(b(last));
    const durable = 8;
    const total = f.size;
    for (let len = durable; len <= total; len++) {
      const image = fs.crash('tear', { tornLengths: { '/db/000001.log': len } });
      assert.equal(text(image, '/db/000001.log'), 'durable|unsynced-1|last-write'.slice(0, len));
    }
    assert.throws(() => fs.crash('tear', { tornLengths: { '/db/000001.log': durable - 1 } }), RangeError);
    assert.throws(() => fs.crash('tear', { tornLengths: { '/db/000001.log': total + 1 } }), RangeError);
  });

  test('random tears keep the durable prefix, stay within what was written, and replay from the seed', async () => {
    const fs = setup({ seed: 7 });
    const f = fs.create('/db/wal');
    await fs.syncDir('/db');
    f.append(b('0123456789'));
    await f.sync();
    for (let i = 0; i < 20; i++) f.append(b(`<${i}>`));
    const full = text(fs, '/db/wal')!;
    const lengths = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const got = text(fs.crash('tear', { seed }), '/db/wal')!;
      assert.ok(got.length >= 10 && full.startsWith(got), `seed ${seed}: ${got}`);
      assert.equal(text(fs.crash('tear', { seed }), '/db/wal'), got);
      lengths.add(got.length);
    }
    assert.ok(lengths.has(10) && lengths.has(full.length) && lengths.size > 20, [...lengths].join());
    const a = setup({ seed: 3 });
    const c = setup({ seed: 3 });
    for (const x of [a, c]) {
      const w = x.create('/db/w');
      w.append(b('abcdefghijklmnop'));
    }
    assert.deepEqual(
      [1, 2, 3].map(() => snapshot(a.crash('tear'))),
      [1, 2, 3].map(() => snapshot(c.crash('tear'))),
    );
  });

  test('unsynced directory changes survive as a prefix of the order they were made in', async () => {
    const fs = setup();
    write(fs, '/db/a', 'A'); // op 1
    write(fs, '/db/b', 'B'); // op 2
    fs.rename('/db/a', '/db/c'); // op 3
    fs.unlink('/db/b'); // op 4
    fs.syncAll();
    const f = fs.create('/db/d');
    f.append(b('D'));
    await f.sync();
    fs.unlink('/db/c');
    const expected = [['c'], ['c', 'd'], ['d']];
    expected.forEach((names, keep) => {
      assert.deepEqual(fs.crash('tear', { keepDirOps: keep }).list('/db'), names, `keep ${keep}`);
    });
    for (let seed = 0; seed < 50; seed++) {
      const names = fs.crash('tear', { seed }).list('/db');
      assert.ok(
        expected.some((e) => e.join() === names.join()),
        names.join(),
      );
    }
  });

  test('a torn file whose create was kept may hold any prefix, down to empty', () => {
    const fs = setup();
    write(fs, '/db/new', 'xyz');
    const image = fs.crash('tear', { keepDirOps: 1, tornLengths: { '/db/new': 0 } });
    assert.equal(text(image, '/db/new'), '');
    assert.equal(fs.crash('tear', { keepDirOps: 0 }).exists('/db/new'), false);
  });
});

describe('faults', () => {
  test('failAt fails just the k-th counted call, once, with EIO; the failed call has no effect', () => {
    const fs = setup({ failAt: 3 });
    const f = fs.create('/db/a'); // 1
    f.append(b('one')); // 2
    assert.throws(
      () => f.append(b('two')),
      (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, 'EIO');
        assert.match(err.message, /injected at call 3/);
        return true;
      },
    );
    f.append(b('three')); // 4
    assert.equal(text(fs, '/db/a'), 'onethree');
    assert.equal(fs.callCount, 4);
    assert.deepEqual(
      fs.calls.map((c) => `${c.n}:${c.op}`),
      ['1:create', '2:append', '3:append', '4:append'],
    );
  });

  test('failFrom fails every counted call from k on, with ENOSPC; async calls reject', async () => {
    const fs = setup({ failFrom: 2, code: 'ENOSPC' });
    const f = fs.create('/db/a');
    assert.throws(() => f.append(b('x')), { code: 'ENOSPC' });
    assert.throws(() => fs.mkdir('/db/d'), { code: 'ENOSPC' });
    const p = f.sync();
    assert.ok(p instanceof Promise);
    await assert.rejects(p, { code: 'ENOSPC' });
    await assert.rejects(fs.syncDir('/db'), { code: 'ENOSPC' });
    assert.throws(() => f.syncSync(), { code: 'ENOSPC' });
    assert.throws(() => fs.rename('/db/a', '/db/b'), { code: 'ENOSPC' });
    assert.throws(() => fs.unlink('/db/a'), { code: 'ENOSPC' });
    assert.equal(fs.exists('/db/d'), false);
    assert.deepEqual(fs.list('/db'), ['a']);
    fs.resetFaults();
    f.append(b('ok'));
    assert.equal(text(fs, '/db/a'), 'ok');
  });

  test('a failed sync leaves the data unsynced', async () => {
    const fs = setup();
    const f = fs.create('/db/a');
    await fs.syncDir('/db');
    f.append(b('data'));
    fs.setFaults({ failAt: fs.callCount + 1 });
    await assert.rejects(f.sync(), { code: 'EIO' });
    assert.equal(text(fs.crash(), '/db/a'), '');
    await f.sync();
    assert.equal(text(fs.crash(), '/db/a'), 'data');
  });

  test('every counted operation is counted and can fail', async () => {
    const fs = setup();
    const ops: Array<[string, () => unknown]> = [];
    let w = fs.create('/db/x');
    ops.push(['create', () => (w = fs.create('/db/a'))]);
    ops.push(['openAppend', () => (w = fs.openAppend('/db/a'))]);
    ops.push(['append', () => w.append(b('z'))]);
    ops.push(['sync', () => w.sync()]);
    ops.push(['syncSync', () => w.syncSync()]);
    ops.push(['mkdir', () => fs.mkdir('/db/d')]);
    ops.push(['syncDir', () => fs.syncDir('/db')]);
    ops.push(['rename', () => fs.rename('/db/a', '/db/b')]);
    ops.push(['unlink', () => fs.unlink('/db/b')]);
    ops.push(['rmdir', () => fs.rmdir('/db/d')]);
    for (const [op, call] of ops) {
      fs.setFaults({ failAt: fs.callCount + 1 });
      await assert.rejects(async () => call(), { code: 'EIO' }, op);
      assert.equal(fs.calls.at(-1)!.op, op);
      fs.resetFaults();
      await call();
    }
    assert.equal(fs.callCount, 1 + 2 * ops.length);
    const reads = fs.callCount;
    fs.readFile('/db/x');
    fs.list('/db');
    fs.size('/db/x');
    fs.openRead('/db/x').read(Buffer.alloc(1), 0, 1, 0);
    assert.equal(fs.callCount, reads, 'reads are not counted by default');
  });

  test('countReads counts and fails reads too', () => {
    const fs = setup({ countReads: true });
    write(fs, '/db/a', 'abc'); // create, append
    const r = fs.openRead('/db/a'); // 3
    fs.setFaults({ countReads: true, failAt: 4 });
    assert.throws(() => r.read(Buffer.alloc(3), 0, 3, 0), { code: 'EIO' });
    fs.setFaults({ countReads: true, failFrom: 5 });
    assert.throws(() => fs.readFile('/db/a'), { code: 'EIO' });
    assert.throws(() => fs.list('/db'), { code: 'EIO' });
    assert.throws(() => fs.size('/db/a'), { code: 'EIO' });
    assert.throws(() => fs.openRead('/db/a'), { code: 'EIO' });
    assert.deepEqual(
      fs.calls.map((c) => c.op),
      ['create', 'append', 'openRead', 'read', 'readFile', 'list', 'size', 'openRead'],
    );
    assert.equal(fs.exists('/db/a'), true);
  });

  test('crashAt: the k-th call completes, every later call throws ECRASHED, crash() shows the state', async () => {
    const fs = setup({ crashAt: 4 });
    const f = fs.create('/db/000001.log'); // 1
    await fs.syncDir('/db'); // 2
    f.append(b('rec1;')); // 3
    await f.sync(); // 4: completes, then the process is gone
    assert.equal(fs.stopped, true);
    assert.throws(() => f.append(b('rec2;')), { code: CRASHED });
    await assert.rejects(f.sync(), { code: CRASHED });
    assert.throws(() => fs.exists('/db/000001.log'), { code: CRASHED });
    assert.throws(() => fs.readFile('/db/000001.log'), { code: CRASHED });
    assert.throws(() => fs.lock('/db/LOCK'), { code: CRASHED });
    f.close();
    assert.equal(fs.callCount, 4);
    assert.equal(text(fs.crash('drop-unsynced'), '/db/000001.log'), 'rec1;');
    fs.resetFaults();
    assert.equal(fs.stopped, false);
    write(fs, '/db/after', 'x');
  });

  test('the call log keeps the most recent logLimit calls and names both rename paths', () => {
    const fs = setup({ logLimit: 3 });
    const f = fs.create('/db/a');
    for (let i = 0; i < 10; i++) f.append(b('x'));
    fs.rename('/db/a', '/db/b');
    assert.deepEqual(fs.calls, [
      { n: 10, op: 'append', path: '/db/a' },
      { n: 11, op: 'append', path: '/db/a' },
      { n: 12, op: 'rename', path: '/db/a -> /db/b' },
    ]);
  });

  test('a failing operation keeps the base error when no fault is injected', () => {
    const fs = setup();
    assert.throws(() => fs.unlink('/db/missing'), { code: 'ENOENT' });
    assert.throws(() => fs.create('/nodir/a'), { code: 'ENOENT' });
    assert.deepEqual(fs.crash('keep-unsynced').list('/'), ['db']);
  });
});

describe('locks through the fault fs', () => {
  test('the LOCK file is an ordinary unsynced create; a crash image lets the lock be taken again', async () => {
    const fs = setup();
    const held = fs.lock('/db/LOCK');
    assert.throws(() => fs.lock('/db/LOCK'), { code: 'ELOCKED' });
    assert.equal(fs.crash().exists('/db/LOCK'), false);
    await fs.syncDir('/db');
    const image = fs.crash('keep-unsynced');
    assert.equal(image.exists('/db/LOCK'), true);
    image.lock('/db/LOCK').release();
    held.release();
    assert.equal(fs.crash('keep-unsynced').exists('/db/LOCK'), false);
    fs.lock('/db/LOCK').release();
  });
});

describe('model: random operation sequences', () => {
  type Op =
    | { k: 'write'; file: number; data: string; sync: boolean }
    | { k: 'rename'; from: number; to: number }
    | { k: 'unlink'; file: number }
    | { k: 'syncDir' }
    | { k: 'mkdir'; dir: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      k: fc.constant('write' as const),
      file: fc.nat(4),
      data: fc.string({ maxLength: 6 }),
      sync: fc.boolean(),
    }),
    fc.record({ k: fc.constant('rename' as const), from: fc.nat(4), to: fc.nat(4) }),
    fc.record({ k: fc.constant('unlink' as const), file: fc.nat(4) }),
    fc.record({ k: fc.constant('syncDir' as const) }),
    fc.record({ k: fc.constant('mkdir' as const), dir: fc.nat(2) }),
  );
  const name = (i: number): string => (i < 3 ? `/db/f${i}` : `/db/s${i % 2}/f${i}`);

  function run(fs: FaultInjectingFileSystem, ops: Op[]): void {
    for (const o of ops) {
      try {
        if (o.k === 'write') {
          const f = fs.exists(name(o.file)) ? fs.openAppend(name(o.file)) : fs.create(name(o.file));
          f.append(b(o.data));
          if (o.sync) f.syncSync();
          f.close();
        } else if (o.k === 'rename') fs.rename(name(o.from), name(o.to));
        else if (o.k === 'unlink') fs.unlink(name(o.file));
        else if (o.k === 'syncDir') void fs.syncDir('/db');
        else fs.mkdir(`/db/s${o.dir % 2}`);
      } catch (err) {
        if (!['ENOENT', 'EISDIR', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
    }
  }

  test('keep-unsynced equals the live tree; after syncAll every mode equals it too', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.nat(), (ops, seed) => {
        const fs = setup();
        run(fs, ops);
        const live = snapshot(fs);
        assert.deepEqual(snapshot(fs.crash('keep-unsynced')), live);
        fs.syncAll();
        assert.deepEqual(snapshot(fs.crash('drop-unsynced')), live);
        assert.deepEqual(snapshot(fs.crash('tear', { seed })), live);
      }),
      { numRuns: 300 },
    );
  });

  test('a tear keeping no directory change has the durable names, files grown from their durable bytes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.nat(), (ops, seed) => {
        const fs = setup();
        run(fs, ops.slice(0, ops.length >> 1));
        fs.syncAll();
        run(fs, ops.slice(ops.length >> 1));
        const torn = snapshot(fs.crash('tear', { seed, keepDirOps: 0 }));
        const durable = snapshot(fs.crash('drop-unsynced'));
        assert.deepEqual(Object.keys(torn).sort(), Object.keys(durable).sort());
        for (const [path, data] of Object.entries(torn)) assert.ok(data.startsWith(durable[path]!), path);
      }),
      { numRuns: 300 },
    );
  });

  test('a tear keeping every directory change has the live names, files cut from their live bytes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.nat(), (ops, seed) => {
        const fs = setup();
        run(fs, ops.slice(0, ops.length >> 1));
        fs.syncAll();
        run(fs, ops.slice(ops.length >> 1));
        const torn = snapshot(fs.crash('tear', { seed, keepDirOps: Number.MAX_SAFE_INTEGER }));
        const live = snapshot(fs);
        assert.deepEqual(Object.keys(torn).sort(), Object.keys(live).sort());
        for (const [path, data] of Object.entries(torn)) assert.ok(live[path]!.startsWith(data), path);
      }),
      { numRuns: 300 },
    );
  });
});
