// A database created in a directory that did not exist keeps its synced writes through a power loss: open
// fsyncs the parent after creating the directory, so the directory's own entry is durable (before, a crash
// image could drop the whole directory with every synced write in it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraniteDB } from '../../src/index.js';
import { FaultInjectingFileSystem, MemoryFileSystem } from '../../src/fs/index.js';

test('a database created in a new directory survives a power loss right after its first synced write', async () => {
  const base = new MemoryFileSystem();
  base.mkdir('/data');
  const fs = new FaultInjectingFileSystem(base);
  const db = await GraniteDB.open('/data/db', { fileSystem: fs, backgroundThreads: 0 });
  await db.put('k', 'v', { sync: true });
  const image = fs.crash('drop-unsynced');
  await db.close();
  assert.ok(image.exists('/data/db'), 'the directory entry is durable');
  const again = await GraniteDB.open('/data/db', { fileSystem: image, backgroundThreads: 0 });
  try {
    assert.equal((await again.get('k'))?.toString(), 'v');
  } finally {
    await again.close();
  }
});
