// The shape of db.stats(): plain JSON. Counters only grow while the database is open.
export interface DBCounters {
  writes: number;
  writeGroups: number;
  walSyncs: number;
  userBytesWritten: number;
  walBytesWritten: number;
  bytesWrittenToDisk: number;
  flushes: number;
  flushBytes: number;
  flushMillis: number;
  compactions: number;
  stalls: number;
  stallMillis: number;
  gets: number;
  tablesProbed: number;
}

export function emptyCounters(): DBCounters {
  return {
    writes: 0,
    writeGroups: 0,
    walSyncs: 0,
    userBytesWritten: 0,
    walBytesWritten: 0,
    bytesWrittenToDisk: 0,
    flushes: 0,
    flushBytes: 0,
    flushMillis: 0,
    compactions: 0,
    stalls: 0,
    stallMillis: 0,
    gets: 0,
    tablesProbed: 0,
  };
}

export interface DBStats {
  seq: number;
  memtableBytes: number;
  immutableMemtables: number;
  immutableBytes: number;
  snapshots: number;
  openCursors: number;
  levels: { level: number; files: number; bytes: number }[];
  counters: DBCounters & {
    cacheHits: number;
    cacheMisses: number;
    cacheBytes: number;
    blockReads: number;
    bloomChecks: number;
    bloomNegatives: number;
    tableOpens: number;
  };
  backgroundError: string | undefined;
}
