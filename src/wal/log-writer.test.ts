import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WritableFile } from '../fs/file-system.js';
import { LogWriter } from './log-writer.js';
import { readLogFile } from './log-reader.js';

/** A file whose syncs finish only when the test says so (or at once with `autoResolve`), and can fail. */
class ScriptedFile implements WritableFile {
  bytes: Buffer[] = [];
  size = 0;
  closed = false;
  syncs: { at: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  autoResolve = false;
  append(data: Uint8Array): void {
    assert.equal(this.closed, false, 'append after close');
    this.bytes.push(Buffer.from(data));
    this.size += data.length;
  }
  sync(): Promise<void> {
    assert.equal(this.closed, false, 'sync after close');
    if (this.autoResolve) return Promise.resolve();
    return new Promise((resolve, reject) => this.syncs.push({ at: this.size, resolve, reject }));
  }
  syncSync(): void {}
  close(): void {
    this.closed = true;
  }
  contents(): Buffer {
    return Buffer.concat(this.bytes);
  }
}

const record = (i: number, n = 1000): Buffer => Buffer.alloc(n, i & 0xff);
const settleMicrotasks = (): Promise<void> => new Promise((r) => setImmediate(r));

test('background syncs start as the log grows, spaced wider while earlier ones are still running', () => {
  const file = new ScriptedFile();
  const w = new LogWriter(file, 4096);
  for (let i = 0; i < 400; i++) w.addRecord(record(i)); // ~400 KB, no sync ever seen to finish
  const started = file.syncs.length;
  // Gaps of 4096 * (k + 1) bytes: k syncs need 4096 * k(k+1)/2 bytes, so ~13 for 400 KB, not ~100.
  assert.ok(started >= 10 && started <= 16, `started ${started}`);
  for (let k = 1; k < started; k++) {
    const gap = file.syncs[k]!.at - file.syncs[k - 1]!.at;
    assert.ok(gap >= 4096 * (k + 1), `gap ${k}: ${gap}`);
  }
});

test('no background sync with bytesPerSync 0; sync() covers everything appended and is then a no-op', async () => {
  const file = new ScriptedFile();
  const w = new LogWriter(file);
  for (let i = 0; i < 100; i++) w.addRecord(record(i));
  assert.equal(file.syncs.length, 0);
  assert.ok(w.unsyncedBytes > 100_000);
  const done = w.sync();
  assert.equal(file.syncs.length, 1);
  assert.equal(file.syncs[0]!.at, file.size);
  file.syncs[0]!.resolve();
  await done;
  assert.equal(w.unsyncedBytes, 0);
  await w.sync(); // nothing new: no fdatasync
  assert.equal(file.syncs.length, 1);
  const records: Buffer[] = [];
  readLogFile(file.contents(), 'log', 'absolute-consistency', true, (r) => records.push(Buffer.from(r.data)));
  assert.equal(records.length, 100);
  assert.deepEqual(records[37], record(37));
});

test('sync() waits for background syncs still running, and reports a failure of one that ends after it', async () => {
  const file = new ScriptedFile();
  const w = new LogWriter(file, 1024);
  w.addRecord(record(1, 2000)); // starts a background sync
  assert.equal(file.syncs.length, 1);
  w.addRecord(record(2, 100));
  let settled = false;
  const done = w.sync().then(
    () => (settled = true),
    (e: unknown) => e,
  );
  assert.equal(file.syncs.length, 2, 'sync() starts its own fdatasync at once');
  file.syncs[1]!.resolve(); // ours succeeds first...
  await settleMicrotasks();
  assert.equal(settled, false, 'still waiting for the background sync');
  const eio = Object.assign(new Error('EIO'), { code: 'EIO' });
  file.syncs[0]!.reject(eio); // ...then the background one fails: the kernel may have dropped pages
  assert.equal(await done, eio);
  await assert.rejects(w.sync(), (e) => e === eio, 'sticky');
  w.addRecord(record(3, 100));
  await assert.rejects(w.sync(), (e) => e === eio, 'still sticky after more appends');
});

test('a failed background sync makes the next sync() reject even though later fdatasyncs succeed', async () => {
  const file = new ScriptedFile();
  const w = new LogWriter(file, 1024);
  w.addRecord(record(1, 2000));
  const eio = Object.assign(new Error('EIO'), { code: 'EIO' });
  file.syncs[0]!.reject(eio);
  await settleMicrotasks();
  file.autoResolve = true;
  await assert.rejects(w.sync(), (e) => e === eio);
});

test('close() with background syncs running closes the file only once they finish; settle() waits for them', async () => {
  const file = new ScriptedFile();
  const w = new LogWriter(file, 1024);
  w.addRecord(record(1, 2000));
  w.addRecord(record(2, 5000));
  assert.equal(file.syncs.length, 2);
  let settled = false;
  const settledP = w.settle().then(() => (settled = true));
  w.close();
  assert.equal(file.closed, false);
  file.syncs[0]!.resolve();
  await settleMicrotasks();
  assert.equal(file.closed, false);
  assert.equal(settled, false);
  file.syncs[1]!.resolve();
  await settledP;
  assert.equal(file.closed, true);
  w.close(); // a second close is a no-op
});
