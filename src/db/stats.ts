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
  /** Compactions picked because point reads kept probing a table in vain (moves included). */
  seekCompactions: number;
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
  /** Of slowdowns / stopStalls: those with compaction owing >= the soft / hard pending-bytes limit. */
  pendingBytesSlowdowns: number;
  pendingBytesStops: number;
  /** Times a compaction waited for the rate limiter (compactionRateLimit), and the milliseconds waited. */
  rateLimitWaits: number;
  rateLimitMillis: number;
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
    seekCompactions: 0,
    compactionBytesRead: 0,
    compactionBytesWritten: 0,
    compactionMillis: 0,
    droppedDeletions: 0,
    droppedShadowed: 0,
    stalls: 0,
    slowdowns: 0,
    stopStalls: 0,
    stallMillis: 0,
    pendingBytesSlowdowns: 0,
    pendingBytesStops: 0,
    rateLimitWaits: 0,
    rateLimitMillis: 0,
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
    /** Of the cache's memory: bytes borrowed from idle memtable pools (ADR 0019), given back when writes resume. */
    cacheBorrowedBytes: number;
    blockReads: number;
    bloomChecks: number;
    bloomNegatives: number;
    tableOpens: number;
    /** Of tableOpens: tables opened with the index and filter their writer handed over (ADR 0014). */
    tableHandovers: number;
  };
  /** Bytes read and written by compactions, by output level. */
  levelIO: { level: number; bytesRead: number; bytesWritten: number; compactions: number }[];
  /** Bytes written to disk (WAL, flushes, compactions) / bytes written by the user. */
  writeAmplification: number;
  /** Tables probed per get that reached the tables. */
  readAmplification: number;
  /** Estimated bytes compaction must rewrite to bring every level within its trigger (back-pressure input). */
  pendingCompactionBytes: number;
  /**
   * Live table bytes ÷ the bytes of the deepest non-empty level (leveled) or of the largest run (tiered): an
   * estimate of live table bytes over live data, since the bottom holds one version of (nearly) every key.
   * 1 when fully compacted; 0 when there are no tables.
   */
  spaceAmplification: number;
  /** Hits and misses per block kind. Data blocks go through the block cache; index and filter blocks are
   *  pinned with their open table, so a hit is a lookup served by an open table and a miss is a table open. */
  blockCache: Record<'data' | 'index' | 'filter', { hits: number; misses: number }>;
  compacting: boolean;
  /** Worker threads alive now (ADR 0017: an idle worker is terminated, the next job starts one). */
  workers: { flush: number; compaction: number };
  backgroundError: string | undefined;
}

/** See DBStats.spaceAmplification. `levels[0]` holds tiered runs newest first. */
export function spaceAmplificationOf(levels: readonly (readonly { size: number }[])[]): number {
  let total = 0;
  let bottom = 0;
  for (let l = 0; l < levels.length; l++) {
    let bytes = 0;
    for (const f of levels[l]!) {
      bytes += f.size;
      if (l === 0) bottom = Math.max(bottom, f.size); // L0 alone: the largest run or file
    }
    total += bytes;
    if (l > 0 && bytes > 0) bottom = bytes;
  }
  return bottom > 0 ? total / bottom : 0;
}
