// "No orphan files" checks for compaction and crash tests: after waitForCompaction, every table in the
// directory belongs to the current version, exactly one MANIFEST and one WAL remain (no flush is pending),
// and no temp file is left. Names are matched by hand from docs/format.md ("Directory"), not with the
// engine's parser. Never exported from the package.
import type { DBStats } from '../db/stats.js';

export interface FileCensus {
  tables: number;
  wals: number;
  manifests: number;
  temps: number;
}

/** Counts the engine's files among directory entry names. */
export function fileCensus(names: readonly string[]): FileCensus {
  const c: FileCensus = { tables: 0, wals: 0, manifests: 0, temps: 0 };
  for (const n of names) {
    if (/^\d+\.sst$/.test(n)) c.tables++;
    else if (/^\d+\.log$/.test(n)) c.wals++;
    else if (/^MANIFEST-\d+$/.test(n)) c.manifests++;
    else if (/^\d+\.dbtmp$/.test(n)) c.temps++;
  }
  return c;
}

/** Tables in the current version, from stats().levels. */
export function liveTableCount(stats: DBStats): number {
  return stats.levels.reduce((a, l) => a + l.files, 0);
}

/**
 * What is wrong with `names` (a directory listing taken with no await after `stats`), or [] when nothing:
 * REQUIRES: no flush or compaction running (call waitForCompaction first).
 */
export function orphanProblems(names: readonly string[], stats: DBStats): string[] {
  const c = fileCensus(names);
  const live = liveTableCount(stats);
  const out: string[] = [];
  if (c.tables !== live) out.push(`${c.tables} .sst files but ${live} in the current version`);
  if (c.manifests !== 1) out.push(`${c.manifests} MANIFEST files`);
  if (c.wals !== 1 + stats.immutableMemtables) out.push(`${c.wals} WAL files`);
  if (c.temps !== 0) out.push(`${c.temps} temp files`);
  if (out.length > 0) out.push(`files: ${[...names].sort().join(' ')}`);
  return out;
}
