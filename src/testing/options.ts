// Option presets for tests: kilobyte memtables and blocks, so that a few hundred writes make many tables,
// blocks and restart points. Never exported from the package.
import type { Options } from '../options/options.js';

/** memtableSize 8 KiB (in the 4-16 KiB range), blockSize 256, restartInterval 4, unless overridden. */
export function tinyOptions(overrides: Partial<Options> = {}): Partial<Options> {
  return { memtableSize: 8192, blockSize: 256, restartInterval: 4, ...overrides };
}

/**
 * Compaction constantly active: 4 KiB memtables, tiny target files and level targets, L0 trigger 2, so that
 * every few writes flush and most flushes compact. `style` picks leveled or tiered.
 */
export function compactionOptions(
  style: 'leveled' | 'tiered',
  overrides: Partial<Options> = {},
): Partial<Options> {
  return tinyOptions({
    memtableSize: 4096,
    compactionStyle: style,
    targetFileSize: 4096,
    maxBytesForLevelBase: 16384,
    levelMultiplier: 2,
    level0CompactionTrigger: 2,
    ...overrides,
  });
}
