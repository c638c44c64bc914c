// Option presets for tests: kilobyte memtables and blocks, so that a few hundred writes make many tables,
// blocks and restart points. Never exported from the package.
import type { Options } from '../options/options.js';

/** memtableSize 8 KiB (in the 4-16 KiB range), blockSize 256, restartInterval 4, unless overridden. */
export function tinyOptions(overrides: Partial<Options> = {}): Partial<Options> {
  return { memtableSize: 8192, blockSize: 256, restartInterval: 4, ...overrides };
}
