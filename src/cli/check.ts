// granite check: verifies every checksum and invariant of a database, reading every byte the engine owns.
//   1. CURRENT names a MANIFEST; every record decodes (readLogFile 'absolute-consistency' + decodeVersionEdit),
//      the first is a snapshot, and replaying the edits is consistent (no file added twice or deleted unknown);
//   2. every live table exists, opens (footer, index, filter, properties), has the size the MANIFEST says, and
//      every block verifies (TableReader.verifyAll); its key range matches the MANIFEST; levels >= 1 are
//      sorted and do not overlap;
//   3. every WAL reads with 'absolute-consistency' and every batch in it decodes (visitBatch);
//   4. the engine opens read-only and a full scan yields strictly ascending keys.
// Damage does not stop the check: every problem found is reported (a CorruptionError names file and offset).
// The caller holds the database lock, so nothing changes underneath.
import { join } from 'node:path';
import { CorruptionError, GraniteDB } from '../index.js';
import { CURRENT, parseFileName, tableFileName } from '../format/filenames.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { TableReader } from '../sstable/table-reader.js';
import { readLogFile } from '../wal/log-reader.js';
import { batchCount, batchSeq, visitBatch } from '../batch/batch-reader.js';
import { decodeVersionEdit } from '../version/version-edit.js';
import type { FileMeta } from '../version/file-meta.js';
import { describeError } from './errors.js';
import type { Progress } from './progress.js';

export interface CheckReport {
  problems: string[];
  manifest: string | undefined;
  manifestRecords: number;
  tables: number;
  blocks: number;
  wals: number;
  walRecords: number;
  entries: number;
}

const fs = new NodeFileSystem();

/** Counts the units of work check will do (for the progress bar). */
export function checkWorkUnits(dir: string): number {
  let n = 2; // MANIFEST + scan
  for (const name of fs.list(dir)) {
    const k = parseFileName(name)?.kind;
    if (k === 'table' || k === 'wal') n++;
  }
  return n;
}

export async function checkDatabase(dir: string, progress: Progress): Promise<CheckReport> {
  const r: CheckReport = {
    problems: [],
    manifest: undefined,
    manifestRecords: 0,
    tables: 0,
    blocks: 0,
    wals: 0,
    walRecords: 0,
    entries: 0,
  };
  const problem = (err: unknown): void => {
    r.problems.push(describeError(err));
  };
  const names = fs.list(dir).sort();

  // 1. MANIFEST
  const levels = new Map<number, { level: number; meta: FileMeta }>();
  try {
    const current = fs.readFile(join(dir, CURRENT)).toString('latin1');
    const m = /^(MANIFEST-\d+)\n$/.exec(current);
    if (!m) throw new CorruptionError(CURRENT, 0, 'CURRENT does not name a MANIFEST');
    const name = m[1]!;
    r.manifest = name;
    if (!names.includes(name)) throw new CorruptionError(name, -1, 'MANIFEST named by CURRENT is missing');
    readLogFile(fs.readFile(join(dir, name)), name, 'absolute-consistency', true, (rec) => {
      const e = decodeVersionEdit(rec.data, name, rec.offset);
      if (r.manifestRecords++ === 0 && e.formatVersion === undefined)
        throw new CorruptionError(name, rec.offset, 'first MANIFEST record is not a snapshot');
      for (const d of e.deletedFiles ?? []) {
        const f = levels.get(d.fileNum);
        if (f === undefined || f.level !== d.level)
          throw new CorruptionError(
            name,
            rec.offset,
            `deletes L${d.level} table ${d.fileNum}, which is not there`,
          );
        levels.delete(d.fileNum);
      }
      for (const nf of e.newFiles ?? []) {
        if (levels.has(nf.meta.fileNum))
          throw new CorruptionError(name, rec.offset, `adds table ${nf.meta.fileNum} twice`);
        levels.set(nf.meta.fileNum, nf);
      }
    });
  } catch (err) {
    problem(err);
  }
  progress.tick();

  // 2. Tables
  const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
  for (const name of names) {
    const p = parseFileName(name);
    if (p?.kind !== 'table') continue;
    const live = levels.get(p.num);
    try {
      const t = TableReader.open(fs.openRead(join(dir, name)), p.num, name, undefined, counters);
      try {
        t.verifyAll();
        r.tables++;
        r.blocks += t.blockCount;
        if (live !== undefined) {
          const m = live.meta;
          if (m.size !== t.size)
            throw new CorruptionError(name, -1, `size is ${t.size} bytes, the MANIFEST says ${m.size}`);
          const pr = t.props;
          if (
            pr.smallestKey !== m.smallestKey ||
            pr.smallestTrailer !== m.smallestTrailer ||
            pr.largestKey !== m.largestKey ||
            pr.largestTrailer !== m.largestTrailer
          )
            throw new CorruptionError(name, -1, 'key range differs from the one the MANIFEST records');
        }
      } finally {
        t.unref();
      }
    } catch (err) {
      problem(err);
    }
    progress.tick();
  }
  for (const { meta } of levels.values()) {
    const name = tableFileName(meta.fileNum);
    if (!names.includes(name))
      problem(new CorruptionError(name, -1, 'table named by the MANIFEST is missing'));
  }
  const byLevel = new Map<number, FileMeta[]>();
  for (const { level, meta } of levels.values()) {
    if (level === 0) continue;
    (byLevel.get(level) ?? byLevel.set(level, []).get(level)!).push(meta);
  }
  for (const [level, files] of byLevel) {
    files.sort((a, b) => (a.smallestKey < b.smallestKey ? -1 : a.smallestKey > b.smallestKey ? 1 : 0));
    for (let i = 1; i < files.length; i++) {
      if (files[i]!.smallestKey <= files[i - 1]!.largestKey) {
        r.problems.push(
          `invariant broken: L${level} tables ${tableFileName(files[i - 1]!.fileNum)} and ${tableFileName(files[i]!.fileNum)} overlap`,
        );
      }
    }
  }

  // 3. WALs
  for (const name of names) {
    const p = parseFileName(name);
    if (p?.kind !== 'wal') continue;
    try {
      let lastSeq = -1;
      readLogFile(fs.readFile(join(dir, name)), name, 'absolute-consistency', true, (rec) => {
        visitBatch(rec.data, rec.data.length, name, rec.offset, () => undefined);
        const seq = batchSeq(rec.data);
        if (seq <= lastSeq)
          throw new CorruptionError(name, rec.offset, `sequence ${seq} does not follow ${lastSeq}`);
        lastSeq = seq + batchCount(rec.data) - 1;
        r.walRecords++;
      });
      r.wals++;
    } catch (err) {
      problem(err);
    }
    progress.tick();
  }

  // 4. A full scan through the engine (only when the files are sound: it would report the same damage).
  if (r.problems.length === 0) {
    let db: GraniteDB | undefined;
    try {
      db = await GraniteDB.open(dir, { readOnly: true, createIfMissing: false });
      let prev: Buffer | undefined;
      for (const [k] of db.iterator({ values: true })) {
        if (prev !== undefined && Buffer.compare(prev, k!) >= 0) {
          r.problems.push(`invariant broken: the scan yields keys out of order after entry ${r.entries}`);
          break;
        }
        prev = k;
        r.entries++;
      }
    } catch (err) {
      problem(err);
    } finally {
      await db?.close();
    }
  }
  progress.tick();
  return r;
}
