// The version set: the current Version, the file-number counter, the last sequence number, the WAL
// bookkeeping, and the MANIFEST that makes all of it durable. Owned by the main thread.
//
// Invariants:
//  - an edit is applied to memory only after its MANIFEST record is synced (logAndApply);
//  - edits are serialized: logAndApply calls queue behind each other (await points are the only interleaving);
//  - CURRENT names a MANIFEST whose first record is a full snapshot; CURRENT is replaced by write-temp, sync,
//    rename, sync-dir;
//  - live WALs are those recorded by NewWal with number >= logNumber; each must exist on disk;
//  - after a failed MANIFEST write no further edit is written (#writeError): the database must be reopened.
import { CorruptionError, toIOError, type GraniteError } from '../errors/errors.js';
import { CURRENT, manifestFileName, tempFileName } from '../format/filenames.js';
import { MANIFEST_FORMAT_VERSION } from '../format/manifest.js';
import type { FileSystem } from '../fs/file-system.js';
import { LogWriter } from '../wal/log-writer.js';
import { readLogFile } from '../wal/log-reader.js';
import type { FileMeta } from './file-meta.js';
import { Version } from './version.js';
import { decodeVersionEdit, encodeVersionEdit, type VersionEdit } from './version-edit.js';

export class VersionSet {
  readonly dir: string;
  readonly #fs: FileSystem;
  current: Version;
  nextFileNumber = 2;
  lastSequence = 0;
  logNumber = 0;
  readonly liveWals = new Set<number>();
  manifestNumber = 0;
  /** After recover(): offset of a torn final MANIFEST record that was dropped, or -1; and the file's size. */
  manifestTornAt = -1;
  manifestSize = 0;
  #manifest: LogWriter | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** Set by a failed MANIFEST append or sync: the file's tail is unknown (the record may be there, and the
   *  writer's block offset may be off), so every later edit fails with it — a later sync would make the failed
   *  record durable while memory never applied it, and deletions based on memory would break the MANIFEST. */
  #writeError: GraniteError | undefined;
  /** Versions with readers; their files must not be deleted. */
  readonly #live = new Set<Version>();

  constructor(dir: string, fs: FileSystem) {
    this.dir = dir;
    this.#fs = fs;
    this.current = this.#install(new Version([]));
  }

  newFileNumber(): number {
    return this.nextFileNumber++;
  }

  #install(v: Version): Version {
    v.ref();
    this.#live.add(v);
    v.onUnreferenced = (dead) => this.#live.delete(dead);
    const old = this.current as Version | undefined;
    this.current = v;
    old?.unref();
    return v;
  }

  /** File numbers of every table some live version (current or held by a reader) names. */
  liveTableNumbers(): Set<number> {
    const s = new Set<number>();
    for (const v of this.#live) for (const f of v.allFiles()) s.add(f.fileNum);
    return s;
  }

  #applyToMemory(e: VersionEdit): void {
    if (e.logNumber !== undefined) {
      this.logNumber = e.logNumber;
      for (const w of [...this.liveWals]) if (w < e.logNumber) this.liveWals.delete(w);
    }
    if (e.nextFileNumber !== undefined) this.nextFileNumber = Math.max(this.nextFileNumber, e.nextFileNumber);
    if (e.lastSequence !== undefined) this.lastSequence = Math.max(this.lastSequence, e.lastSequence);
    for (const w of e.newWals ?? []) if (w >= this.logNumber) this.liveWals.add(w);
    if ((e.newFiles?.length ?? 0) + (e.deletedFiles?.length ?? 0) > 0) {
      const levels: FileMeta[][] = this.current.levels.map((l) => [...l]);
      for (const d of e.deletedFiles ?? []) {
        levels[d.level] = levels[d.level]!.filter((f) => f.fileNum !== d.fileNum);
      }
      for (const { level, meta } of e.newFiles ?? []) levels[level]!.push(meta);
      this.#install(new Version(levels));
    }
  }

  /** True when no logAndApply/writeNewManifest is queued or running (logAndApplySync may run). */
  get idle(): boolean {
    return this.#inFlight === 0;
  }
  #inFlight = 0;

  /**
   * logAndApply without awaiting: append, fdatasync synchronously, apply. For installing a finished
   * compaction from a synchronous call (a read). REQUIRES: idle.
   */
  logAndApplySync(edit: VersionEdit): void {
    const m = this.#manifest;
    if (m === undefined || this.#inFlight !== 0)
      throw new Error('granitedb internal error: MANIFEST busy or closed');
    if (this.#writeError !== undefined) throw this.#writeError;
    edit.nextFileNumber ??= this.nextFileNumber;
    try {
      m.addRecord(encodeVersionEdit(edit));
      m.file.syncSync();
    } catch (err) {
      this.#writeError = toIOError(err, `write ${manifestFileName(this.manifestNumber)}`);
      throw this.#writeError;
    }
    this.#applyToMemory(edit);
  }

  /** Appends `edit` to the MANIFEST, syncs it, then applies it. Serialized with other calls. */
  logAndApply(edit: VersionEdit): Promise<void> {
    this.#inFlight++;
    const run = async (): Promise<void> => {
      const m = this.#manifest;
      if (m === undefined) throw new Error('granitedb internal error: no MANIFEST open');
      if (this.#writeError !== undefined) throw this.#writeError;
      edit.nextFileNumber ??= this.nextFileNumber;
      try {
        m.addRecord(encodeVersionEdit(edit));
        await m.sync();
      } catch (err) {
        this.#writeError = toIOError(err, `write ${manifestFileName(this.manifestNumber)}`);
        throw this.#writeError;
      }
      this.#applyToMemory(edit);
    };
    const p = this.#queue.then(run).finally(() => this.#inFlight--);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  /** A full description of the current state, the first record of a new MANIFEST. */
  snapshotEdit(): VersionEdit {
    const newFiles: { level: number; meta: FileMeta }[] = [];
    this.current.levels.forEach((files, level) => files.forEach((meta) => newFiles.push({ level, meta })));
    return {
      formatVersion: MANIFEST_FORMAT_VERSION,
      logNumber: this.logNumber,
      nextFileNumber: this.nextFileNumber,
      lastSequence: this.lastSequence,
      newWals: [...this.liveWals].sort((a, b) => a - b),
      newFiles,
    };
  }

  /**
   * Writes a new MANIFEST holding `snapshotEdit()` merged with `edit`, syncs it, and points CURRENT at it.
   * The previous MANIFEST stays valid until the rename; afterwards it is obsolete.
   */
  async writeNewManifest(edit: VersionEdit): Promise<void> {
    this.#inFlight++;
    const run = async (): Promise<void> => {
      this.#applyToMemory(edit);
      const num = this.newFileNumber();
      const tempNum = this.newFileNumber(); // before the snapshot, so the MANIFEST never names a used number
      const name = manifestFileName(num);
      const fs = this.#fs;
      let writer: LogWriter | undefined;
      try {
        writer = new LogWriter(fs.create(`${this.dir}/${name}`));
        writer.addRecord(encodeVersionEdit(this.snapshotEdit()));
        await writer.sync();
        await setCurrentFile(fs, this.dir, num, tempNum);
      } catch (err) {
        writer?.close();
        throw toIOError(err, `write ${name}`);
      }
      this.#manifest?.close();
      this.#manifest = writer;
      this.manifestNumber = num;
    };
    const p = this.#queue.then(run).finally(() => this.#inFlight--);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  /** Reads CURRENT and its MANIFEST into memory. Throws CorruptionError on any damage. */
  recover(): void {
    const fs = this.#fs;
    let current: string;
    try {
      current = fs.readFile(`${this.dir}/${CURRENT}`).toString('latin1');
    } catch (err) {
      throw toIOError(err, `read ${CURRENT}`);
    }
    const m = /^MANIFEST-(\d+)\n$/.exec(current);
    if (!m) throw new CorruptionError(CURRENT, 0, 'CURRENT does not name a MANIFEST');
    const num = Number(m[1]);
    const name = manifestFileName(num);
    let bytes: Buffer;
    try {
      bytes = fs.readFile(`${this.dir}/${name}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new CorruptionError(name, -1, 'MANIFEST named by CURRENT is missing');
      throw toIOError(err, `read ${name}`);
    }
    let records = 0;
    // The MANIFEST is synced before anything depends on a record, so only a torn final record (a crash during
    // an append) is dropped; any other damage is corruption.
    const outcome = readLogFile(
      bytes,
      name,
      'tolerate-corrupted-tail',
      true,
      (r) => {
        const e = decodeVersionEdit(r.data, name, r.offset);
        if (records === 0 && e.formatVersion === undefined) {
          throw new CorruptionError(name, r.offset, 'first MANIFEST record is not a snapshot');
        }
        if (e.formatVersion !== undefined && e.formatVersion !== MANIFEST_FORMAT_VERSION) {
          throw new CorruptionError(name, r.offset, `unknown MANIFEST format version ${e.formatVersion}`);
        }
        this.#applyToMemory(e);
        records++;
      },
      true,
    );
    this.manifestTornAt = outcome.damageOffset;
    this.manifestSize = bytes.length;
    if (records === 0) throw new CorruptionError(name, 0, 'MANIFEST holds no complete record');
    this.manifestNumber = num;
  }

  close(): void {
    this.#manifest?.close();
    this.#manifest = undefined;
  }
}

/** Points CURRENT at MANIFEST-`num` atomically: write a temp file, sync it, rename over CURRENT, sync the dir. */
export async function setCurrentFile(
  fs: FileSystem,
  dir: string,
  num: number,
  tempNum: number,
): Promise<void> {
  const tmp = `${dir}/${tempFileName(tempNum)}`;
  const f = fs.create(tmp);
  try {
    f.append(Buffer.from(`${manifestFileName(num)}\n`, 'latin1'));
    await f.sync();
  } finally {
    f.close();
  }
  fs.rename(tmp, `${dir}/${CURRENT}`);
  await fs.syncDir(dir);
}
