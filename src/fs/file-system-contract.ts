// The FileSystem behaviour suite (test-only; STYLE.md "one behaviour suite run against several
// implementations"): the same cases run against NodeFileSystem, MemoryFileSystem and
// FaultInjectingFileSystem so the in-memory ones stay faithful to node:fs. Each case gets a fresh, empty
// root directory from the harness and must not touch anything outside it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileSystem } from './file-system.js';

/** A fresh file system with an empty directory `root` in it; `cleanup` runs after the case. */
export interface ContractHarness {
  fs: FileSystem;
  root: string;
  cleanup?: () => void;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

function code(c: string): (err: unknown) => boolean {
  return (err) => {
    assert.equal((err as { code?: unknown }).code, c, String(err));
    return true;
  };
}

/** Registers the suite under `name`. */
export function fileSystemContract(name: string, setup: () => ContractHarness): void {
  describe(`FileSystem contract: ${name}`, () => {
    const it = (title: string, body: (fs: FileSystem, root: string) => void | Promise<void>): void => {
      test(title, async () => {
        const h = setup();
        try {
          await body(h.fs, h.root);
        } finally {
          h.cleanup?.();
        }
      });
    };

    it('create, append, size and readFile round-trip', (fs, root) => {
      const f = fs.create(`${root}/a`);
      assert.equal(f.size, 0);
      f.append(bytes('hello '));
      f.append(new Uint8Array([0x77, 0x6f]));
      f.append(new Uint8Array(0));
      assert.equal(f.size, 8);
      f.syncSync();
      f.close();
      assert.equal(fs.size(`${root}/a`), 8);
      assert.deepEqual(fs.readFile(`${root}/a`), bytes('hello wo'));
    });

    it('create truncates an existing file', (fs, root) => {
      const f = fs.create(`${root}/a`);
      f.append(bytes('old contents'));
      f.close();
      const g = fs.create(`${root}/a`);
      assert.equal(g.size, 0);
      g.append(bytes('new'));
      g.close();
      assert.deepEqual(fs.readFile(`${root}/a`), bytes('new'));
    });

    it('openAppend continues at the end, and creates a missing file', (fs, root) => {
      const f = fs.create(`${root}/a`);
      f.append(bytes('abc'));
      f.close();
      const g = fs.openAppend(`${root}/a`);
      assert.equal(g.size, 3);
      g.append(bytes('def'));
      assert.equal(g.size, 6);
      g.close();
      assert.deepEqual(fs.readFile(`${root}/a`), bytes('abcdef'));
      const h = fs.openAppend(`${root}/b`);
      assert.equal(h.size, 0);
      h.close();
      assert.equal(fs.exists(`${root}/b`), true);
    });

    it('openRead reads at positions, short at EOF, and keeps its size from open', (fs, root) => {
      const f = fs.create(`${root}/a`);
      f.append(bytes('0123456789'));
      const r = fs.openRead(`${root}/a`);
      assert.equal(r.size, 10);
      const buf = Buffer.alloc(8, 0x2e);
      assert.equal(r.read(buf, 2, 4, 3), 4);
      assert.equal(buf.toString(), '..3456..');
      assert.equal(r.read(buf, 0, 8, 7), 3);
      assert.equal(buf.subarray(0, 3).toString(), '789');
      assert.equal(r.read(buf, 0, 8, 10), 0);
      assert.equal(r.read(buf, 0, 8, 100), 0);
      f.append(bytes('ab'));
      f.close();
      assert.equal(r.size, 10);
      r.close();
      assert.equal(fs.openRead(`${root}/a`).size, 12);
    });

    it('a large append round-trips byte for byte', (fs, root) => {
      const data = Buffer.alloc(1 << 20);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
      const f = fs.create(`${root}/big`);
      f.append(data.subarray(0, 1000));
      f.append(data.subarray(1000));
      f.close();
      assert.equal(fs.readFile(`${root}/big`).equals(data), true);
      const r = fs.openRead(`${root}/big`);
      const out = Buffer.alloc(5000);
      assert.equal(r.read(out, 0, 5000, 777_777), 5000);
      assert.equal(out.equals(data.subarray(777_777, 782_777)), true);
      r.close();
    });

    it('exists sees files and directories', (fs, root) => {
      assert.equal(fs.exists(root), true);
      assert.equal(fs.exists(`${root}/a`), false);
      fs.create(`${root}/a`).close();
      fs.mkdir(`${root}/d`);
      assert.equal(fs.exists(`${root}/a`), true);
      assert.equal(fs.exists(`${root}/d`), true);
      assert.equal(fs.exists(`${root}/a/x`), false);
    });

    it('list returns the names of files and directories', (fs, root) => {
      assert.deepEqual(fs.list(root), []);
      for (const n of ['000002.log', 'CURRENT', 'MANIFEST-000001']) fs.create(`${root}/${n}`).close();
      fs.mkdir(`${root}/sub`);
      fs.create(`${root}/sub/inner`).close();
      assert.deepEqual(fs.list(root).sort(), ['000002.log', 'CURRENT', 'MANIFEST-000001', 'sub']);
      assert.deepEqual(fs.list(`${root}/sub`), ['inner']);
    });

    it('mkdir creates missing parents and accepts an existing directory', (fs, root) => {
      fs.mkdir(`${root}/a/b/c`);
      fs.mkdir(`${root}/a/b/c`);
      fs.mkdir(`${root}/a`);
      assert.deepEqual(fs.list(`${root}/a`), ['b']);
      fs.create(`${root}/a/b/c/f`).close();
      assert.deepEqual(fs.list(`${root}/a/b/c`), ['f']);
    });

    it('mkdir fails with EEXIST on a file and ENOTDIR under one', (fs, root) => {
      fs.create(`${root}/f`).close();
      assert.throws(() => fs.mkdir(`${root}/f`), code('EEXIST'));
      assert.throws(() => fs.mkdir(`${root}/f/x/y`), code('ENOTDIR'));
    });

    it('rename moves a file and atomically replaces the target', (fs, root) => {
      const a = fs.create(`${root}/CURRENT.tmp`);
      a.append(bytes('MANIFEST-000002\n'));
      a.close();
      const b = fs.create(`${root}/CURRENT`);
      b.append(bytes('MANIFEST-000001\n'));
      b.close();
      fs.rename(`${root}/CURRENT.tmp`, `${root}/CURRENT`);
      assert.equal(fs.exists(`${root}/CURRENT.tmp`), false);
      assert.deepEqual(fs.readFile(`${root}/CURRENT`), bytes('MANIFEST-000002\n'));
      fs.mkdir(`${root}/d`);
      fs.rename(`${root}/CURRENT`, `${root}/d/C`);
      assert.deepEqual(fs.list(`${root}/d`), ['C']);
      assert.deepEqual(fs.list(root), ['d']);
    });

    it('rename fails with ENOENT, EISDIR, ENOTDIR, ENOTEMPTY and EINVAL', (fs, root) => {
      fs.create(`${root}/f`).close();
      fs.mkdir(`${root}/d/e`);
      fs.mkdir(`${root}/empty`);
      assert.throws(() => fs.rename(`${root}/missing`, `${root}/x`), code('ENOENT'));
      assert.throws(() => fs.rename(`${root}/f`, `${root}/nodir/x`), code('ENOENT'));
      assert.throws(() => fs.rename(`${root}/f`, `${root}/d`), code('EISDIR'));
      assert.throws(() => fs.rename(`${root}/d`, `${root}/f`), code('ENOTDIR'));
      assert.throws(() => fs.rename(`${root}/empty`, `${root}/d`), code('ENOTEMPTY'));
      assert.throws(() => fs.rename(`${root}/d`, `${root}/d/e/inside`), code('EINVAL'));
      fs.rename(`${root}/d`, `${root}/empty`);
      assert.deepEqual(fs.list(`${root}/empty`), ['e']);
    });

    it('an open writer follows its file through a rename', (fs, root) => {
      const w = fs.create(`${root}/a`);
      w.append(bytes('12'));
      fs.rename(`${root}/a`, `${root}/b`);
      w.append(bytes('34'));
      w.close();
      assert.deepEqual(fs.readFile(`${root}/b`), bytes('1234'));
    });

    it('unlink removes a file; an open reader still reads it', (fs, root) => {
      const w = fs.create(`${root}/a`);
      w.append(bytes('still here'));
      w.close();
      const r = fs.openRead(`${root}/a`);
      fs.unlink(`${root}/a`);
      assert.equal(fs.exists(`${root}/a`), false);
      const buf = Buffer.alloc(10);
      assert.equal(r.read(buf, 0, 10, 0), 10);
      assert.equal(buf.toString(), 'still here');
      r.close();
      assert.throws(() => fs.unlink(`${root}/a`), code('ENOENT'));
      fs.mkdir(`${root}/d`);
      assert.throws(() => fs.unlink(`${root}/d`), code('EISDIR'));
    });

    it('rmdir removes only empty directories', (fs, root) => {
      fs.mkdir(`${root}/d`);
      fs.create(`${root}/d/f`).close();
      assert.throws(() => fs.rmdir(`${root}/d`), code('ENOTEMPTY'));
      assert.throws(() => fs.rmdir(`${root}/d/f`), code('ENOTDIR'));
      assert.throws(() => fs.rmdir(`${root}/missing`), code('ENOENT'));
      fs.unlink(`${root}/d/f`);
      fs.rmdir(`${root}/d`);
      assert.equal(fs.exists(`${root}/d`), false);
    });

    it('missing files fail with ENOENT, paths through a file with ENOTDIR, directories with EISDIR', (fs, root) => {
      assert.throws(() => fs.openRead(`${root}/missing`), code('ENOENT'));
      assert.throws(() => fs.readFile(`${root}/missing`), code('ENOENT'));
      assert.throws(() => fs.size(`${root}/missing`), code('ENOENT'));
      assert.throws(() => fs.list(`${root}/missing`), code('ENOENT'));
      assert.throws(() => fs.create(`${root}/nodir/a`), code('ENOENT'));
      fs.create(`${root}/f`).close();
      assert.throws(() => fs.create(`${root}/f/a`), code('ENOTDIR'));
      assert.throws(() => fs.list(`${root}/f`), code('ENOTDIR'));
      assert.throws(() => fs.readFile(`${root}/f/a`), code('ENOTDIR'));
      fs.mkdir(`${root}/d`);
      assert.throws(() => fs.create(`${root}/d`), code('EISDIR'));
      assert.throws(() => fs.readFile(`${root}/d`), code('EISDIR'));
    });

    it('sync, syncSync and syncDir succeed; syncDir of a missing directory rejects with ENOENT', async (fs, root) => {
      const f = fs.create(`${root}/a`);
      f.append(bytes('x'));
      await f.sync();
      f.syncSync();
      f.close();
      await fs.syncDir(root);
      await assert.rejects(fs.syncDir(`${root}/missing`), code('ENOENT'));
    });

    it('append after close throws', (fs, root) => {
      const f = fs.create(`${root}/a`);
      f.close();
      f.close();
      assert.throws(() => f.append(bytes('x')));
    });

    it('lock is exclusive until released, and keeps a LOCK file while held', (fs, root) => {
      const path = `${root}/LOCK`;
      const held = fs.lock(path);
      assert.equal(fs.exists(path), true);
      assert.throws(() => fs.lock(path), code('ELOCKED'));
      held.release();
      held.release();
      const again = fs.lock(path);
      assert.throws(() => fs.lock(path), code('ELOCKED'));
      again.release();
      assert.equal(fs.exists(path), false);
    });

    it('a LOCK file nobody holds is taken over', (fs, root) => {
      const stale = fs.create(`${root}/LOCK`);
      stale.append(bytes('999999999\n'));
      stale.close();
      const held = fs.lock(`${root}/LOCK`);
      assert.equal(fs.readFile(`${root}/LOCK`).toString().trim().split(' ')[0], String(process.pid));
      held.release();
    });
  });
}
