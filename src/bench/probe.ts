// Process and directory probes taken between workloads, never inside a timed loop: peak RSS, bytes
// this process caused to be written to the block device (/proc/self/io, Linux only; it counts all
// threads, so engines' background flush and compaction threads are included), and bytes on disk.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface IoCounters {
  writeBytes: number;
  cancelledWriteBytes: number;
}

/** /proc/self/io write counters, or undefined where the file does not exist. */
export function readIo(): IoCounters | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/io', 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  const writeBytes = field('write_bytes');
  if (Number.isNaN(writeBytes)) return undefined;
  return { writeBytes, cancelledWriteBytes: field('cancelled_write_bytes') };
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export interface DiskUsage {
  /** Sum of file sizes. */
  apparent: number;
  /** Blocks actually allocated (du), which differs for sparse or preallocated files. */
  allocated: number;
}

export function diskUsage(dir: string): DiskUsage {
  const total: DiskUsage = { apparent: 0, allocated: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = diskUsage(path);
      total.apparent += sub.apparent;
      total.allocated += sub.allocated;
    } else if (entry.isFile()) {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st === undefined) continue; // deleted by a background compaction since readdir
      total.apparent += st.size;
      total.allocated += st.blocks * 512;
    }
  }
  return total;
}
