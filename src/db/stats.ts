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
  trivialMoves: number;
  compactionBytesRead: number;
  compactionBytesWritten: number;
  compactionMillis: number;
  droppedDeletions: number;
  droppedShadowed: number;
  /** Writers waited because the memtable was full and too many immutable memtables were queued. */
  stalls: number;
  /** Write groups delayed 1 ms because L0 reached level0SlowdownTrigger. */
  slowdowns: number;
  /** Times writers waited because L0 reached level0StopTrigger. */
  stopStalls: number;
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
    trivialMoves: 0,
    compactionBytesRead: 0,
    compactionBytesWritten: 0,
    compactionMillis: 0,
    droppedDeletions: 0,
    droppedShadowed: 0,
    stalls: 0,
    slowdowns: 0,
    stopStalls: 0,
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
  /** Bytes read and written by compactions, by output level. */
  levelIO: { level: number; bytesRead: number; bytesWritten: number; compactions: number }[];
  /** Bytes written to disk (WAL, flushes, compactions) / bytes written by the user. */
  writeAmplification: number;
  /** Tables probed per get that reached the tables. */
  readAmplification: number;
  compacting: boolean;
  backgroundError: string | undefined;
}
