// Picking compactions: pure functions from the shape of the tree (files per level, options) to a task.
//
// Leveled (default): score(L0) = files / level0CompactionTrigger; score(Ln) = bytes / target(n) with
// target(1) = maxBytesForLevelBase and target(n+1) = target(n) * levelMultiplier. The highest score >= 1 wins.
// L0 -> L1 takes every L0 file (they overlap) plus the L1 files overlapping them; Ln -> Ln+1 takes the first
// file after the level's compaction pointer (round robin through the key space) plus its overlaps in Ln+1.
// When no level scores >= 1, a seek candidate (a table point reads kept probing in vain, version.ts) is
// compacted into the next level: from L0 with every L0 file, as for a level0 task; from Ln alone.
//
// Tiered ('tiered'): every table stays in L0 as one sorted run, newest first. When there are at least
// level0CompactionTrigger runs: (1) if the runs newer than the oldest add up to >= 2x the oldest (space
// amplification), merge all; else (2) the longest window of newest runs where each next run is <= 2x the
// size of the window so far (similar sizes), if it has >= 2 runs; else (3) the newest `trigger` runs.
// Windows are contiguous in age, so L0's newest-first order stays consistent.
import { NUM_LEVELS } from '../format/manifest.js';
import type { FileMeta } from '../version/file-meta.js';
import type { SeekCandidate } from '../version/version.js';
import type { CompactionTask } from './task.js';

export interface PickerOptions {
  compactionStyle: 'leveled' | 'tiered';
  level0CompactionTrigger: number;
  maxBytesForLevelBase: number;
  levelMultiplier: number;
  targetFileSize: number;
}

export function levelTarget(level: number, o: PickerOptions): number {
  let t = o.maxBytesForLevelBase;
  for (let l = 1; l < level; l++) t *= o.levelMultiplier;
  return t;
}

function totalBytes(files: readonly FileMeta[]): number {
  let s = 0;
  for (const f of files) s += f.size;
  return s;
}

/** Files of `files` overlapping the user-key range [smallest, largest]. */
export function overlapping(files: readonly FileMeta[], smallest: string, largest: string): FileMeta[] {
  return files.filter((f) => !(f.largestKey < smallest || f.smallestKey > largest));
}

function rangeOf(files: readonly FileMeta[]): [string, string] {
  let lo = files[0]!.smallestKey;
  let hi = files[0]!.largestKey;
  for (const f of files) {
    if (f.smallestKey < lo) lo = f.smallestKey;
    if (f.largestKey > hi) hi = f.largestKey;
  }
  return [lo, hi];
}

/** Scores per level (index = level; L6 has none). */
export function levelScores(levels: readonly (readonly FileMeta[])[], o: PickerOptions): number[] {
  const scores: number[] = [levels[0]!.length / o.level0CompactionTrigger];
  for (let l = 1; l < NUM_LEVELS - 1; l++) scores.push(totalBytes(levels[l]!) / levelTarget(l, o));
  return scores;
}

/**
 * Bytes compaction must rewrite to bring every level back within its trigger (RocksDB's
 * estimated_pending_compaction_bytes, simplified), the input of the pending-bytes back-pressure:
 *   leveled: L0's bytes plus L1's when L0 holds >= level0CompactionTrigger files; for each Ln (n >= 1, not the
 *            last) above its target, the excess times (levelMultiplier + 1): each excess byte is rewritten
 *            with about levelMultiplier bytes of the level below;
 *   tiered:  the bytes of every run when there are >= the trigger's runs (they merge into one).
 */
export function pendingCompactionBytes(levels: readonly (readonly FileMeta[])[], o: PickerOptions): number {
  const l0 = levels[0]!;
  if (o.compactionStyle === 'tiered') {
    return l0.length >= Math.max(2, o.level0CompactionTrigger) ? totalBytes(l0) : 0;
  }
  let pending = l0.length >= o.level0CompactionTrigger ? totalBytes(l0) + totalBytes(levels[1] ?? []) : 0;
  for (let l = 1; l < NUM_LEVELS - 1; l++) {
    const excess = totalBytes(levels[l]!) - levelTarget(l, o);
    if (excess > 0) pending += excess * (o.levelMultiplier + 1);
  }
  return pending;
}

/** Builds the task moving `inputs0` (from `level`) into level + 1. */
export function makeTask(
  levels: readonly (readonly FileMeta[])[],
  level: number,
  inputs0: FileMeta[],
  o: PickerOptions,
  reason: CompactionTask['reason'],
): CompactionTask {
  const outputLevel = Math.min(level + 1, NUM_LEVELS - 1);
  let [lo, hi] = rangeOf(inputs0);
  const inputs1 = outputLevel === level ? [] : overlapping(levels[outputLevel]!, lo, hi);
  if (inputs1.length > 0) [lo, hi] = rangeOf([...inputs0, ...inputs1]);
  const grandparents = outputLevel + 1 < NUM_LEVELS ? overlapping(levels[outputLevel + 1]!, lo, hi) : [];
  let bottommost = true;
  for (let l = outputLevel + 1; l < NUM_LEVELS && bottommost; l++) {
    if (overlapping(levels[l]!, lo, hi).length > 0) bottommost = false;
  }
  return {
    level,
    outputLevel,
    inputs: [inputs0, inputs1],
    grandparents,
    bottommost,
    reason,
    targetFileSize: o.targetFileSize,
  };
}

/**
 * The next compaction for a leveled tree, or undefined. `pointers[l]` is the largest key of the last file
 * compacted out of level l (round robin); `busy` holds file numbers already being compacted; `seek` is the
 * current version's seek candidate, compacted only when no level is over its target.
 */
export function pickLeveled(
  levels: readonly (readonly FileMeta[])[],
  o: PickerOptions,
  pointers: readonly (string | undefined)[],
  busy: ReadonlySet<number> = new Set(),
  seek?: SeekCandidate,
): CompactionTask | undefined {
  const scores = levelScores(levels, o);
  let best = -1;
  for (let l = 0; l < scores.length; l++) {
    if (scores[l]! >= 1 && (best < 0 || scores[l]! > scores[best]!)) best = l;
  }
  if (best < 0) return seek === undefined ? undefined : pickSeek(levels, o, busy, seek);
  if (best === 0) return level0Task(levels, o, busy, 'level0');
  const files = levels[best]!;
  const ptr = pointers[best];
  let pick = files.find((f) => (ptr === undefined || f.smallestKey > ptr) && !busy.has(f.fileNum));
  pick ??= files.find((f) => !busy.has(f.fileNum));
  if (pick === undefined) return undefined;
  return taskUnlessBusy(levels, best, [pick], o, 'size', busy);
}

/** makeTask(), or undefined when a file it would take from the output level is busy. */
function taskUnlessBusy(
  levels: readonly (readonly FileMeta[])[],
  level: number,
  inputs0: FileMeta[],
  o: PickerOptions,
  reason: CompactionTask['reason'],
  busy: ReadonlySet<number>,
): CompactionTask | undefined {
  const task = makeTask(levels, level, inputs0, o, reason);
  return task.inputs[1].some((f) => busy.has(f.fileNum)) ? undefined : task;
}

/** Every L0 file (they overlap) into L1, unless one of the files involved is busy. */
function level0Task(
  levels: readonly (readonly FileMeta[])[],
  o: PickerOptions,
  busy: ReadonlySet<number>,
  reason: 'level0' | 'seek',
): CompactionTask | undefined {
  const inputs = levels[0]!.filter((f) => !busy.has(f.fileNum));
  if (inputs.length < levels[0]!.length || inputs.length === 0) return undefined;
  return taskUnlessBusy(levels, 0, inputs, o, reason, busy);
}

/** The seek candidate's file into the next level, if it is still in its level, not busy and not at the bottom. */
function pickSeek(
  levels: readonly (readonly FileMeta[])[],
  o: PickerOptions,
  busy: ReadonlySet<number>,
  seek: SeekCandidate,
): CompactionTask | undefined {
  const { level, file } = seek;
  if (level >= NUM_LEVELS - 1 || busy.has(file.fileNum)) return undefined;
  if (!levels[level]!.some((f) => f.fileNum === file.fileNum)) return undefined;
  if (level === 0) return level0Task(levels, o, busy, 'seek');
  return taskUnlessBusy(levels, level, [file], o, 'seek', busy);
}

/** The next compaction for a tiered tree (all runs in L0, newest first), or undefined. */
export function pickTiered(
  levels: readonly (readonly FileMeta[])[],
  o: PickerOptions,
): CompactionTask | undefined {
  const runs = levels[0]!; // newest first
  const trigger = Math.max(2, o.level0CompactionTrigger);
  if (runs.length < trigger) return undefined;
  const tiered = { ...o, targetFileSize: Infinity };
  const oldest = runs[runs.length - 1]!;
  const newer = totalBytes(runs) - oldest.size;
  if (newer >= 2 * oldest.size) return tieredTask(levels, runs.slice(), true, 'tiered-space', tiered);
  let n = 1;
  let sum = runs[0]!.size;
  while (n < runs.length && runs[n]!.size <= 2 * sum) {
    sum += runs[n]!.size;
    n++;
  }
  if (n >= 2) return tieredTask(levels, runs.slice(0, n), n === runs.length, 'tiered-ratio', tiered);
  return tieredTask(levels, runs.slice(0, trigger), trigger === runs.length, 'tiered-count', tiered);
}

/** True when no table in L1+ overlaps `inputs` (a database once opened leveled keeps older data there). */
function nothingBelow(levels: readonly (readonly FileMeta[])[], inputs: readonly FileMeta[]): boolean {
  const [lo, hi] = rangeOf(inputs);
  for (let l = 1; l < levels.length; l++) if (overlapping(levels[l]!, lo, hi).length > 0) return false;
  return true;
}

function tieredTask(
  levels: readonly (readonly FileMeta[])[],
  inputs: FileMeta[],
  includesOldest: boolean,
  reason: CompactionTask['reason'],
  o: PickerOptions,
): CompactionTask {
  return {
    level: 0,
    outputLevel: 0,
    inputs: [inputs, []],
    grandparents: [],
    bottommost: includesOldest && nothingBelow(levels, inputs),
    reason,
    targetFileSize: o.targetFileSize,
  };
}
