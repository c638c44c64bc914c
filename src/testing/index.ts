// Shared test helpers (STYLE.md "Tests"). Never exported from the package; nothing in src/ imports it.
export { makeTempDir, removeDir, copyDir, withTempDir, dirPicture } from './temp-dir.js';
export { tinyOptions, compactionOptions } from './options.js';
export { Rng, seedFromEnv, keyOf, valueOf } from './rng.js';
export { flipByte, truncate, u32, u64, varint } from './bytes.js';
export { copyMemoryFs, writeMemFile } from './mem-image.js';
export { fileCensus, liveTableCount, orphanProblems, type FileCensus } from './orphans.js';
