// Opening a database for a CLI command, with the user-facing checks first:
//   - no CURRENT file (and no engine files) -> "no database at DIR" (unless the command may create one);
//   - read commands take the LOCK themselves and open the engine read-only, so they never change the files
//     and never read a database another process is writing ("database is in use by another process");
//   - write commands open the engine normally (it takes the LOCK).
import { join } from 'node:path';
import { GraniteDB } from '../index.js';
import { CURRENT, LOCK, parseFileName } from '../format/filenames.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { UserError } from './errors.js';

export interface OpenDatabase {
  db: GraniteDB;
  /** Closes the engine and releases the lock (idempotent). */
  close(): Promise<void>;
}

const fs = new NodeFileSystem();

/** Throws "no database at DIR" unless `dir` holds a database (or its damaged remains). */
export function requireDatabase(dir: string): void {
  if (fs.exists(join(dir, CURRENT))) return;
  let names: string[] = [];
  try {
    names = fs.list(dir);
  } catch {
    // missing or unreadable directory: no database
  }
  const engineFiles = names.some((n) => {
    const k = parseFileName(n)?.kind;
    return k === 'manifest' || k === 'table' || k === 'wal';
  });
  // Engine files without CURRENT: let the engine report the damage precisely.
  if (!engineFiles) throw new UserError(`no database at ${dir}`);
}

/** Takes the database lock for a reader; returns its release. Read-only media are read without a lock. */
export function lockForRead(dir: string): () => void {
  try {
    const h = fs.lock(join(dir, LOCK));
    return () => h.release();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ELOCKED') throw new UserError('database is in use by another process');
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return () => undefined;
    throw err;
  }
}

/** Opens `dir` for a command that only reads. */
export async function openForRead(dir: string): Promise<OpenDatabase> {
  requireDatabase(dir);
  const release = lockForRead(dir);
  let db: GraniteDB;
  try {
    db = await GraniteDB.open(dir, { readOnly: true, createIfMissing: false });
  } catch (err) {
    release();
    throw err;
  }
  return handle(db, release);
}

/** Opens `dir` for a command that writes; `create` allows making a new database. */
export async function openForWrite(dir: string, create: boolean): Promise<OpenDatabase> {
  if (!create) requireDatabase(dir);
  const db = await GraniteDB.open(dir, { createIfMissing: create });
  return handle(db, () => undefined);
}

function handle(db: GraniteDB, release: () => void): OpenDatabase {
  let closed = false;
  return {
    db,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
