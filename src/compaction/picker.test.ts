// The compaction picker as a pure function (STYLE.md "Tests": shape in, task out). Each table row is a tree
// (FileMeta lists per level, built by hand) and the task it must produce: levels, inputs, grandparents,
// bottommost and reason. Sizes are in bytes; keys are single letters so ranges read at a glance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NUM_LEVELS } from '../format/manifest.js';
import type { FileMeta } from '../version/file-meta.js';
import {
  levelScores,
  levelTarget,
  makeTask,
  overlapping,
  pendingCompactionBytes,
  pickLeveled,
  pickTiered,
} from './picker.js';
import type { PickerOptions } from './picker.js';
import type { CompactionTask } from './task.js';

const O: PickerOptions = {
  compactionStyle: 'leveled',
  level0CompactionTrigger: 4,
  maxBytesForLevelBase: 1000,
  levelMultiplier: 10,
  targetFileSize: 100,
};

/** "a-c:50" -> a file holding user keys a..c, 50 bytes; numbers are assigned in order of appearance. */
let nextNum = 1;
function f(spec: string): FileMeta {
  const m = /^(.+)-(.+):(\d+)$/.exec(spec);
  if (m === null) throw new Error(`bad spec ${spec}`);
  return {
    fileNum: nextNum++,
    size: Number(m[3]),
    smallestKey: m[1]!,
    smallestTrailer: 0,
    largestKey: m[2]!,
    largestTrailer: 0,
    smallestSeq: 0,
    largestSeq: 0,
  };
}

/** A tree from per-level specs; missing levels are empty. */
function tree(...levels: string[][]): FileMeta[][] {
  nextNum = 1;
  const out: FileMeta[][] = [];
  for (let l = 0; l < NUM_LEVELS; l++) out.push((levels[l] ?? []).map(f));
  return out;
}

/** A task as names: "L<level>:<smallest>-<largest>" per file, for readable diffs. */
const names = (files: readonly FileMeta[]): string[] => files.map((x) => `${x.smallestKey}-${x.largestKey}`);
function shape(t: CompactionTask | undefined): unknown {
  if (t === undefined) return undefined;
  return {
    level: t.level,
    outputLevel: t.outputLevel,
    inputs0: names(t.inputs[0]),
    inputs1: names(t.inputs[1]),
    grandparents: names(t.grandparents),
    bottommost: t.bottommost,
    reason: t.reason,
  };
}

// ------------------------------------------------------------------ overlapping, targets, scores

test('overlapping: inclusive bounds on both sides', () => {
  const files = tree(['a-c:1', 'd-f:1', 'g-i:1', 'k-k:1'])[0]!;
  const rows: [string, string, string[]][] = [
    ['a', 'a', ['a-c']],
    ['c', 'd', ['a-c', 'd-f']],
    ['f', 'g', ['d-f', 'g-i']],
    ['j', 'j', []],
    ['k', 'z', ['k-k']],
    ['0', 'Z', []],
    ['b', 'h', ['a-c', 'd-f', 'g-i']],
    ['', '\xff', ['a-c', 'd-f', 'g-i', 'k-k']],
  ];
  for (const [lo, hi, want] of rows)
    assert.deepEqual(names(overlapping(files, lo, hi)), want, `[${lo}, ${hi}]`);
});

test('levelTarget: base, then times the multiplier per level', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((l) => levelTarget(l, O)),
    [1000, 10_000, 100_000, 1_000_000],
  );
});

test('levelScores: L0 by file count over the trigger, Ln by bytes over the target; none for the last level', () => {
  const rows: [string, FileMeta[][], number[]][] = [
    ['empty', tree(), [0, 0, 0, 0, 0, 0]],
    ['L0 two of four', tree(['a-b:9', 'c-d:9']), [0.5, 0, 0, 0, 0, 0]],
    ['L1 at target', tree([], ['a-b:600', 'c-d:400']), [0, 1, 0, 0, 0, 0]],
    ['L2 half, L3 double', tree([], [], ['a-z:5000'], ['a-z:200000']), [0, 0, 0.5, 2, 0, 0]],
    ['L6 never scored', tree([], [], [], [], [], [], ['a-z:999999999']), [0, 0, 0, 0, 0, 0]],
  ];
  for (const [name, levels, want] of rows) assert.deepEqual(levelScores(levels, O), want, name);
});

// ------------------------------------------------------------------ leveled

interface Row {
  name: string;
  levels: FileMeta[][];
  pointers?: (string | undefined)[];
  busy?: number[];
  o?: Partial<PickerOptions>;
  /** The version's seek candidate as [level, index in that level], or a file not in the tree ('gone'). */
  seek?: [number, number] | 'gone';
  want: unknown;
}

const LEVELED: Row[] = [
  { name: 'empty tree: no work', levels: tree(), want: undefined },
  {
    name: 'L0 below the trigger, every level below its target: no work',
    levels: tree(['a-c:10', 'b-d:10', 'c-e:10'], ['a-z:999'], ['a-z:9999']),
    want: undefined,
  },
  {
    name: 'L0 at the trigger takes every L0 file and the L1 files overlapping them, grandparents from L2',
    levels: tree(
      ['d-f:10', 'a-b:10', 'e-g:10', 'c-c:10'],
      ['0-1:10', 'a-c:10', 'f-h:10', 'x-y:10'],
      ['0-0:10', 'g-i:10', 'j-k:10'],
    ),
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['d-f', 'a-b', 'e-g', 'c-c'],
      inputs1: ['a-c', 'f-h'],
      // The range grows to a..h with the L1 inputs: g-i overlaps it, j-k does not.
      grandparents: ['g-i'],
      bottommost: false,
      reason: 'level0',
    },
  },
  {
    name: 'L0 trigger with an empty L1 and nothing deeper: bottommost',
    levels: tree(['a-b:10', 'c-d:10', 'e-f:10', 'g-h:10']),
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['a-b', 'c-d', 'e-f', 'g-h'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'level0',
    },
  },
  {
    name: 'L0 trigger: bottommost false when a level below the grandparents overlaps (L4 here)',
    levels: tree(['a-b:10', 'c-d:10', 'e-f:10', 'g-h:10'], [], [], [], ['h-h:10']),
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['a-b', 'c-d', 'e-f', 'g-h'],
      inputs1: [],
      grandparents: [],
      bottommost: false,
      reason: 'level0',
    },
  },
  {
    name: 'L0 trigger, but an L0 file is being compacted: no work (all of L0 moves together)',
    levels: tree(['a-b:10', 'c-d:10', 'e-f:10', 'g-h:10']),
    busy: [2],
    want: undefined,
  },
  {
    name: 'L0 trigger, but an overlapping L1 file is busy: no work',
    levels: tree(['a-b:10', 'c-d:10', 'e-f:10', 'g-h:10'], ['b-c:10', 'x-y:10']),
    busy: [5],
    want: undefined,
  },
  {
    name: 'L0 trigger with a busy L1 file that does not overlap: proceeds',
    levels: tree(['a-b:10', 'c-d:10', 'e-f:10', 'g-h:10'], ['b-c:10', 'x-y:10']),
    busy: [6],
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['a-b', 'c-d', 'e-f', 'g-h'],
      inputs1: ['b-c'],
      grandparents: [],
      bottommost: true,
      reason: 'level0',
    },
  },
  {
    name: 'L1 over its target, no pointer: the first file, its L2 overlaps, L3 grandparents (not bottommost)',
    levels: tree([], ['a-c:400', 'e-g:400', 'i-k:400'], ['b-b:10', 'c-e:10', 'h-h:10'], ['a-a:10', 'd-d:10']),
    want: {
      level: 1,
      outputLevel: 2,
      inputs0: ['a-c'],
      inputs1: ['b-b', 'c-e'],
      grandparents: ['a-a', 'd-d'],
      // The grandparents overlap the range, so L3 holds older versions: not bottommost.
      bottommost: false,
      reason: 'size',
    },
  },
  {
    name: 'L1 over its target: round robin picks the first file starting after the pointer',
    levels: tree([], ['a-c:400', 'e-g:400', 'i-k:400'], ['f-f:10']),
    pointers: [undefined, 'c'],
    want: {
      level: 1,
      outputLevel: 2,
      inputs0: ['e-g'],
      inputs1: ['f-f'],
      grandparents: [],
      bottommost: true,
      reason: 'size',
    },
  },
  {
    name: 'L1 over its target: the pointer is a largest key, so a file starting at it is not after it',
    levels: tree([], ['a-c:400', 'e-g:400', 'i-k:400']),
    pointers: [undefined, 'e'],
    want: {
      level: 1,
      outputLevel: 2,
      inputs0: ['i-k'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'size',
    },
  },
  {
    name: 'L1 over its target: the pointer past the last file wraps around to the first',
    levels: tree([], ['a-c:400', 'e-g:400', 'i-k:400']),
    pointers: [undefined, 'k'],
    want: {
      level: 1,
      outputLevel: 2,
      inputs0: ['a-c'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'size',
    },
  },
  {
    name: 'L1 over its target: a busy file after the pointer is skipped',
    levels: tree([], ['a-c:400', 'e-g:400', 'i-k:400']),
    pointers: [undefined, 'c'],
    busy: [2],
    want: {
      level: 1,
      outputLevel: 2,
      inputs0: ['i-k'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'size',
    },
  },
  {
    name: 'L1 over its target: every file busy is no work',
    levels: tree([], ['a-c:600', 'e-g:600']),
    busy: [1, 2],
    want: undefined,
  },
  {
    name: 'Ln: the picked file overlaps a busy file of Ln+1: no work',
    levels: tree([], ['a-c:1200'], ['b-b:10']),
    busy: [2],
    want: undefined,
  },
  {
    name: 'Ln: bottommost false when a deeper level (beyond the grandparents) overlaps',
    levels: tree([], [], ['m-p:20000'], [], [], ['o-o:10']),
    want: {
      level: 2,
      outputLevel: 3,
      inputs0: ['m-p'],
      inputs1: [],
      grandparents: [],
      bottommost: false,
      reason: 'size',
    },
  },
  {
    name: 'Ln: bottommost true when deeper levels hold only keys outside the range',
    levels: tree([], [], ['m-p:20000'], [], ['a-l:10'], ['q-z:10']),
    want: {
      level: 2,
      outputLevel: 3,
      inputs0: ['m-p'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'size',
    },
  },
  {
    name: 'the highest score wins: L2 at 3x beats L0 at 1x and L1 at 1.5x',
    levels: tree(['a-a:1', 'b-b:1', 'c-c:1', 'd-d:1'], ['a-z:1500'], ['a-m:15000', 'n-z:15000']),
    want: {
      level: 2,
      outputLevel: 3,
      inputs0: ['a-m'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'size',
    },
  },
  {
    name: 'the highest score wins: L0 at 2x beats L1 at 1.5x',
    levels: tree(['a-a:1', 'b-b:1', 'c-c:1', 'd-d:1', 'e-e:1', 'f-f:1', 'g-g:1', 'h-h:1'], ['a-z:1500']),
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['a-a', 'b-b', 'c-c', 'd-d', 'e-e', 'f-f', 'g-g', 'h-h'],
      inputs1: ['a-z'],
      grandparents: [],
      bottommost: true,
      reason: 'level0',
    },
  },
  {
    name: 'level0CompactionTrigger 2: two L0 files are enough',
    levels: tree(['c-d:1', 'a-b:1']),
    o: { level0CompactionTrigger: 2 },
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['c-d', 'a-b'],
      inputs1: [],
      grandparents: [],
      bottommost: true,
      reason: 'level0',
    },
  },
  {
    name: 'seek candidate in L0, no level over its target: every L0 file into L1, reason seek',
    levels: tree(['c-x:1', 'a-m:1'], ['a-k:300', 'l-z:300'], ['a-z:5000']),
    seek: [0, 1],
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['c-x', 'a-m'],
      inputs1: ['a-k', 'l-z'],
      grandparents: ['a-z'],
      bottommost: false,
      reason: 'seek',
    },
  },
  {
    name: 'seek candidate in L1: that file alone into L2 with its overlaps there',
    levels: tree([], ['a-f:100', 'g-p:100', 'q-z:100'], ['a-h:1000', 'i-o:1000', 'x-z:1000']),
    seek: [1, 1],
    want: {
      level: 1,
      outputLevel: 2,
      inputs0: ['g-p'],
      inputs1: ['a-h', 'i-o'],
      grandparents: [],
      bottommost: true,
      reason: 'seek',
    },
  },
  {
    name: 'a level over its target wins over a seek candidate',
    levels: tree(['a-a:1', 'b-b:1', 'c-c:1', 'd-d:1'], ['a-f:100', 'g-p:100']),
    seek: [1, 1],
    want: {
      level: 0,
      outputLevel: 1,
      inputs0: ['a-a', 'b-b', 'c-c', 'd-d'],
      inputs1: ['a-f'],
      grandparents: [],
      bottommost: true,
      reason: 'level0',
    },
  },
  {
    name: 'seek candidate no longer in its level (compacted meanwhile): no work',
    levels: tree([], ['a-f:100', 'g-p:100']),
    seek: 'gone',
    want: undefined,
  },
  {
    name: 'seek candidate busy in another compaction: no work',
    levels: tree([], ['a-f:100', 'g-p:100'], ['a-z:100']),
    seek: [1, 0],
    busy: [1],
    want: undefined,
  },
  {
    name: 'seek candidate whose next-level overlap is busy: no work',
    levels: tree([], ['a-f:100', 'g-p:100'], ['a-z:100']),
    seek: [1, 0],
    busy: [3],
    want: undefined,
  },
  {
    name: 'seek candidate in the last level: no work (nowhere to go)',
    levels: tree([], [], [], [], [], [], ['a-f:100']),
    seek: [NUM_LEVELS - 1, 0],
    want: undefined,
  },
];

for (const row of LEVELED) {
  test(`pickLeveled: ${row.name}`, () => {
    const seek =
      row.seek === undefined
        ? undefined
        : row.seek === 'gone'
          ? { level: 1, file: { ...row.levels[1]![0]!, fileNum: 999 } }
          : { level: row.seek[0], file: row.levels[row.seek[0]]![row.seek[1]]! };
    const got = pickLeveled(
      row.levels,
      { ...O, ...row.o },
      row.pointers ?? [],
      new Set(row.busy ?? []),
      seek,
    );
    assert.deepEqual(shape(got), row.want);
    if (got !== undefined) assert.equal(got.targetFileSize, row.o?.targetFileSize ?? O.targetFileSize);
  });
}

test('pickLeveled does not change its inputs', () => {
  const levels = tree(['a-b:1', 'c-d:1', 'e-f:1', 'g-h:1'], ['a-z:10']);
  const before = JSON.stringify(levels);
  pickLeveled(levels, O, ['x']);
  assert.equal(JSON.stringify(levels), before);
});

// ------------------------------------------------------------------ makeTask (manual compactions use it too)

test('makeTask: the last level compacts into itself with no second input set and no grandparents', () => {
  const levels = tree([], [], [], [], [], [], ['a-c:10', 'd-f:10']);
  const t = makeTask(levels, 6, [levels[6]![0]!], O, 'manual');
  assert.deepEqual(shape(t), {
    level: 6,
    outputLevel: 6,
    inputs0: ['a-c'],
    inputs1: [],
    grandparents: [],
    bottommost: true,
    reason: 'manual',
  });
});

test('makeTask: grandparents come from the range widened by the next-level inputs', () => {
  const levels = tree([], ['d-e:10'], ['a-d:10', 'e-h:10'], ['a-a:10', 'c-c:10', 'i-i:10']);
  const t = makeTask(levels, 1, [levels[1]![0]!], O, 'manual');
  assert.deepEqual(shape(t), {
    level: 1,
    outputLevel: 2,
    inputs0: ['d-e'],
    inputs1: ['a-d', 'e-h'],
    grandparents: ['a-a', 'c-c'],
    bottommost: false,
    reason: 'manual',
  });
});

// ------------------------------------------------------------------ tiered

const T: PickerOptions = { ...O, compactionStyle: 'tiered', level0CompactionTrigger: 3 };

/** Tiered runs (newest first) from sizes; keys all overlap, as tiered runs do. */
function runs(...sizes: number[]): FileMeta[][] {
  return tree(sizes.map((s) => `a-z:${s}`));
}

interface TieredRow {
  name: string;
  sizes: number[];
  trigger?: number;
  /** Indexes (newest = 0) of the runs merged, or undefined for no work. */
  want: { take: number; bottommost: boolean; reason: CompactionTask['reason'] } | undefined;
}

const TIERED: TieredRow[] = [
  { name: 'fewer runs than the trigger: no work', sizes: [10, 10], want: undefined },
  { name: 'no runs: no work', sizes: [], want: undefined },
  {
    name: 'trigger 1 still needs two runs (one run has nothing to merge)',
    sizes: [10],
    trigger: 1,
    want: undefined,
  },
  {
    name: 'space amplification: newer runs add up to 2x the oldest: merge all, bottommost',
    sizes: [10, 10, 10],
    want: { take: 3, bottommost: true, reason: 'tiered-space' },
  },
  {
    name: 'space amplification at exactly 2x (sizes need not be similar)',
    sizes: [30, 70, 50],
    want: { take: 3, bottommost: true, reason: 'tiered-space' },
  },
  {
    name: 'size ratio: the newest similar-sized runs, stopping before a run > 2x the window',
    sizes: [1, 1, 1, 100],
    want: { take: 3, bottommost: false, reason: 'tiered-ratio' },
  },
  {
    name: 'size ratio: the window grows while each next run is <= 2x the sum so far',
    sizes: [4, 8, 20, 30, 1000],
    want: { take: 4, bottommost: false, reason: 'tiered-ratio' },
  },
  {
    name: 'size ratio: a window of exactly two runs',
    sizes: [10, 20, 100, 1000],
    want: { take: 2, bottommost: false, reason: 'tiered-ratio' },
  },
  {
    name: 'size ratio: every run fits (and no space rule) makes a bottommost window',
    sizes: [10, 15, 40],
    trigger: 3,
    // newer = 25 < 80 (no space rule); 15 <= 20, 40 <= 50: all three.
    want: { take: 3, bottommost: true, reason: 'tiered-ratio' },
  },
  {
    name: 'count: no similar sizes, so the newest `trigger` runs',
    sizes: [1, 10, 100, 10000],
    want: { take: 3, bottommost: false, reason: 'tiered-count' },
  },
  {
    name: 'count: the newest `trigger` runs are all runs: bottommost',
    sizes: [1, 10, 1000],
    want: { take: 3, bottommost: true, reason: 'tiered-count' },
  },
  {
    name: 'count with trigger 2',
    sizes: [1, 10, 1000, 100000],
    trigger: 2,
    want: { take: 2, bottommost: false, reason: 'tiered-count' },
  },
];

for (const row of TIERED) {
  test(`pickTiered: ${row.name}`, () => {
    const levels = runs(...row.sizes);
    const o = { ...T, level0CompactionTrigger: row.trigger ?? T.level0CompactionTrigger };
    const got = pickTiered(levels, o);
    if (row.want === undefined) {
      assert.equal(got, undefined);
      return;
    }
    assert.ok(got !== undefined, 'a task');
    assert.equal(got.reason, row.want.reason);
    assert.equal(got.bottommost, row.want.bottommost);
    assert.equal(got.level, 0);
    assert.equal(got.outputLevel, 0);
    assert.deepEqual(got.inputs[1], []);
    assert.deepEqual(got.grandparents, []);
    assert.equal(got.targetFileSize, Infinity, 'a tiered run is one output file');
    // Contiguous in age: the window is the newest `take` runs, in L0 order.
    assert.deepEqual(
      got.inputs[0].map((x) => x.fileNum),
      levels[0]!.slice(0, row.want.take).map((x) => x.fileNum),
    );
  });
}

test('pickTiered: every picked window is a contiguous newest-first prefix of L0 (random sizes)', () => {
  let s = 12345;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s % n;
  };
  for (let i = 0; i < 500; i++) {
    const n = rnd(12);
    const sizes = Array.from({ length: n }, () => 1 + rnd(1 + rnd(5000)));
    const levels = runs(...sizes);
    const trigger = 2 + rnd(4);
    const t = pickTiered(levels, { ...T, level0CompactionTrigger: trigger });
    if (n < trigger) {
      assert.equal(t, undefined, `sizes ${sizes} trigger ${trigger}`);
      continue;
    }
    assert.ok(t !== undefined, `sizes ${sizes} trigger ${trigger}`);
    const take = t.inputs[0].length;
    assert.ok(take >= 2, `sizes ${sizes}`);
    assert.deepEqual(
      t.inputs[0].map((x) => x.fileNum),
      levels[0]!.slice(0, take).map((x) => x.fileNum),
    );
    assert.equal(t.bottommost, take === n, `sizes ${sizes}`);
  }
});

// ------------------------------------------------------------------ pending compaction bytes

const PENDING_CASES: { name: string; levels: string[][]; style?: 'tiered'; want: number }[] = [
  { name: 'an empty tree owes nothing', levels: [], want: 0 },
  {
    name: 'L0 below its trigger owes nothing',
    levels: [['a-b:10', 'a-b:10', 'a-b:10'], ['a-z:900']],
    want: 0,
  },
  {
    name: 'L0 at its trigger owes its bytes and L1s',
    levels: [['a-b:10', 'a-b:10', 'a-b:10', 'a-b:10'], ['a-z:900']],
    want: 40 + 900,
  },
  {
    name: 'L1 over its 1000-byte target owes the excess times 11',
    levels: [[], ['a-m:700', 'n-z:500']],
    want: 200 * 11,
  },
  {
    name: 'excess summed over levels; the last level is never over target',
    levels: [[], ['a-z:1100'], ['a-z:10100'], [], [], [], ['a-z:99999999']],
    want: 100 * 11 + 100 * 11,
  },
  {
    name: 'tiered: below the trigger owes nothing',
    style: 'tiered',
    levels: [['a-b:10', 'a-b:20']],
    want: 0,
  },
  {
    name: 'tiered: at the trigger owes every run',
    style: 'tiered',
    levels: [['a-b:10', 'a-b:20', 'a-b:30', 'a-b:40']],
    want: 100,
  },
];
for (const c of PENDING_CASES) {
  test(`pendingCompactionBytes: ${c.name}`, () => {
    const o: PickerOptions = c.style === 'tiered' ? { ...O, compactionStyle: 'tiered' } : O;
    assert.equal(pendingCompactionBytes(tree(...c.levels), o), c.want);
  });
}
