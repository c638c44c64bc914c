// A compaction task as plain data: what the picker produces, what crosses to a worker, what run.ts executes.
import type { TableHandover } from './table-handover.js';
import type { FileMeta } from '../version/file-meta.js';
import type { CompressionName } from '../options/options.js';

export interface CompactionTask {
  /** Level the first input set comes from. */
  level: number;
  outputLevel: number;
  /** Input files per level: inputs[0] from `level`, inputs[1] from `outputLevel` (may be empty). */
  inputs: [FileMeta[], FileMeta[]];
  /** Files of outputLevel + 1 overlapping the inputs (output files are cut to limit overlap with them). */
  grandparents: FileMeta[];
  /** True when no level below outputLevel holds keys in the inputs' range: deletions may be dropped. */
  bottommost: boolean;
  /** Why it was picked (for stats and logs). */
  reason: 'level0' | 'size' | 'seek' | 'manual' | 'tiered-ratio' | 'tiered-count' | 'tiered-space';
  /** Cut outputs at this size (Infinity: one output file, as tiered runs are). */
  targetFileSize: number;
}

export interface CompactionJob {
  task: CompactionTask;
  dir: string;
  /** File numbers reserved for outputs, used in order. */
  outputNumbers: number[];
  /** Versions with seq <= this may be read by a snapshot; older shadowed versions are dropped. */
  smallestSnapshot: number;
  blockSize: number;
  restartInterval: number;
  bloomBitsPerKey: number;
  compression: CompressionName;
  /** Bytes per second this job may write (its share of compactionRateLimit); 0 = unlimited. */
  rateLimit: number;
}

export interface CompactionResult {
  outputs: FileMeta[];
  /** Per output, its parsed index and filter (table-handover.ts), for the main thread's table cache. */
  tables?: TableHandover[];
  bytesRead: number;
  bytesWritten: number;
  entriesIn: number;
  entriesOut: number;
  droppedDeletions: number;
  droppedShadowed: number;
  /** Waits for the rate limiter and their total milliseconds. */
  rateLimitWaits: number;
  rateLimitMillis: number;
}
