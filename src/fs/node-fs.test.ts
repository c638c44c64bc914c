import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileSystemContract } from './file-system-contract.js';
import { NodeFileSystem } from './node-fs.js';
import { Worker } from 'node:worker_threads';

function tempDir(): string {
  return nodeFs.mkdtempSync(path.join(os.tmpdir(), 'granitedb-fs-'));
}

fileSystemContract('NodeFileSystem', () => {
  const root = tempDir();
  return {
    fs: new NodeFileSystem(),
    root,
    cleanup: () => nodeFs.rmSync(root, { recursive: true, force: true }),
  };
});

test('NodeFileSystem: a second lock in the same process throws ELOCKED, also through another instance', () => {
  const root = tempDir();
  try {
    const a = new NodeFileSystem().lock(`${root}/LOCK`);
    assert.throws(() => new NodeFileSystem().lock(`${root}/LOCK`), { code: 'ELOCKED' });
    assert.throws(() => new NodeFileSystem().lock(`${root}/./LOCK`), { code: 'ELOCKED' });
    a.release();
    new NodeFileSystem().lock(`${root}/LOCK`).release();
  } finally {
    nodeFs.rmSync(root, { recursive: true, force: true });
  }
});

test('NodeFileSystem: a LOCK left by a dead process is taken over', () => {
  const root = tempDir();
  try {
    const child = spawnSync(process.execPath, ['-e', '']);
    assert.equal(child.status, 0);
    const deadPid = child.pid!;
    nodeFs.writeFileSync(`${root}/LOCK`, `${deadPid}\n`);
    const held = new NodeFileSystem().lock(`${root}/LOCK`);
    assert.equal(nodeFs.readFileSync(`${root}/LOCK`, 'utf8').split(' ')[0]!.trim(), String(process.pid));
    held.release();
    assert.equal(nodeFs.existsSync(`${root}/LOCK`), false);
  } finally {
    nodeFs.rmSync(root, { recursive: true, force: true });
  }
});

test('NodeFileSystem: a lock held by a live child process throws ELOCKED, and is taken over once it dies', async () => {
  const root = tempDir();
  const moduleUrl = new URL('./node-fs.js', import.meta.url).href;
  const script =
    `import { NodeFileSystem } from ${JSON.stringify(moduleUrl)};` +
    `new NodeFileSystem().lock(${JSON.stringify(`${root}/LOCK`)});` +
    `process.stdout.write('locked\\n'); setTimeout(() => {}, 60000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('locked')) resolve();
      });
      child.once('exit', (c) => reject(new Error(`child exited early with ${c}`)));
    });
    assert.equal(nodeFs.readFileSync(`${root}/LOCK`, 'utf8').split(' ')[0]!.trim(), String(child.pid));
    assert.throws(
      () => new NodeFileSystem().lock(`${root}/LOCK`),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ELOCKED');
        assert.match(err.message, new RegExp(String(child.pid)));
        return true;
      },
    );
    child.kill('SIGKILL');
    await exited;
    const held = new NodeFileSystem().lock(`${root}/LOCK`);
    held.release();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    nodeFs.rmSync(root, { recursive: true, force: true });
  }
});

test('NodeFileSystem: a LOCK naming this pid with another start time (pid reuse) is taken over', () => {
  const root = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'granite-lock-reuse-'));
  try {
    nodeFs.writeFileSync(`${root}/LOCK`, `${process.pid} 1 an-earlier-boot\n`);
    const held = new NodeFileSystem().lock(`${root}/LOCK`);
    assert.notEqual(nodeFs.readFileSync(`${root}/LOCK`, 'utf8').trim(), `${process.pid} 1 an-earlier-boot`);
    held.release();
    assert.equal(nodeFs.existsSync(`${root}/LOCK`), false);
  } finally {
    nodeFs.rmSync(root, { recursive: true, force: true });
  }
});

test('NodeFileSystem: another thread of this process cannot take a lock this thread holds', async () => {
  const root = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'granite-lock-thread-'));
  const held = new NodeFileSystem().lock(`${root}/LOCK`);
  try {
    const moduleUrl = new URL('./node-fs.js', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.moduleUrl).then(({ NodeFileSystem }) => {
        try { new NodeFileSystem().lock(workerData.lockPath); parentPort.postMessage('taken'); }
        catch (err) { parentPort.postMessage(err.code); }
      });`;
    const worker = new Worker(code, { eval: true, workerData: { moduleUrl, lockPath: `${root}/LOCK` } });
    const answer = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(answer, 'ELOCKED');
  } finally {
    held.release();
    nodeFs.rmSync(root, { recursive: true, force: true });
  }
});
