import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toIOError, IOError } from '../errors/errors.js';
import { fileSystemContract } from './file-system-contract.js';
import { MemoryFileSystem } from './memory-fs.js';

fileSystemContract('MemoryFileSystem', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/db');
  return { fs, root: '/db' };
});

test('paths resolve against "/": relative, doubled slashes, "." and ".." name the same file', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('a/b');
  const f = fs.create('/a//b/./f');
  f.append(Buffer.from('x'));
  f.close();
  assert.deepEqual(fs.readFile('a/b/f'), Buffer.from('x'));
  assert.deepEqual(fs.readFile('/a/b/../b/f/'), Buffer.from('x'));
  assert.deepEqual(fs.list('/'), ['a']);
  assert.equal(fs.exists(''), false);
});

test('errors look like node:fs errors and toIOError keeps their code', () => {
  const fs = new MemoryFileSystem();
  let caught: unknown;
  try {
    fs.readFile('/db/CURRENT');
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error);
  assert.equal((caught as NodeJS.ErrnoException).code, 'ENOENT');
  assert.equal((caught as NodeJS.ErrnoException).errno, -2);
  assert.equal((caught as NodeJS.ErrnoException).syscall, 'open');
  assert.equal((caught as NodeJS.ErrnoException).path, '/db/CURRENT');
  assert.match((caught as Error).message, /^ENOENT: no such file or directory, open '\/db\/CURRENT'$/);
  const io = toIOError(caught, 'reading CURRENT');
  assert.ok(io instanceof IOError);
  assert.equal(io.errno, 'ENOENT');
});

test('the root cannot be removed, renamed or opened as a file', () => {
  const fs = new MemoryFileSystem();
  assert.throws(() => fs.rmdir('/'), { code: 'EBUSY' });
  assert.throws(() => fs.rename('/', '/x'), { code: 'EBUSY' });
  assert.throws(() => fs.create('/'), { code: 'EISDIR' });
  assert.throws(() => fs.unlink('/'), { code: 'EISDIR' });
  assert.deepEqual(fs.list('/'), []);
});

test('create over an open reader truncates the same file, as O_TRUNC does', () => {
  const fs = new MemoryFileSystem();
  const w = fs.create('/a');
  w.append(Buffer.from('abcdef'));
  w.close();
  const r = fs.openRead('/a');
  fs.create('/a').close();
  assert.equal(r.read(Buffer.alloc(6), 0, 6, 0), 0);
});

test('an unlinked file lives on in its writer but is gone from the tree', () => {
  const fs = new MemoryFileSystem();
  const w = fs.create('/a');
  fs.unlink('/a');
  w.append(Buffer.from('orphan'));
  assert.equal(w.size, 6);
  w.close();
  assert.deepEqual(fs.list('/'), []);
});

test('locks belong to one MemoryFileSystem instance', () => {
  const a = new MemoryFileSystem();
  const b = new MemoryFileSystem();
  const ha = a.lock('/LOCK');
  const hb = b.lock('/LOCK');
  assert.throws(() => a.lock('/LOCK'), { code: 'ELOCKED' });
  assert.throws(() => a.lock('LOCK'), { code: 'ELOCKED' });
  ha.release();
  hb.release();
});

test('handles are closed independently; sync on a closed handle fails with EBADF', async () => {
  const fs = new MemoryFileSystem();
  const w = fs.create('/a');
  w.close();
  assert.throws(() => w.syncSync(), { code: 'EBADF' });
  await assert.rejects(w.sync(), { code: 'EBADF' });
  const r = fs.openRead('/a');
  r.close();
  assert.throws(() => r.read(Buffer.alloc(1), 0, 1, 0), { code: 'EBADF' });
});
