// Option sets of the metamorphic runs, each named by a spec string that is also its replay argument:
//   bs=<blockSize>,bloom=<bits>,comp=<codec>,style=<leveled|tiered>,mem=<tiny|default>,bg=<threads>,
//   fs=<mem|node>,reopen=<same|rotate>
// mem=tiny is compactionOptions() (4 KiB memtables and targets, L0 trigger 2: flushes and compactions all the
// time); mem=default keeps the engine's defaults (one memtable, tables only from flush, compactRange, reopen).
// bg counts worker threads; with fs=mem (an injected file system) compaction runs in-process whatever bg says.
// reopen=rotate changes blockSize, bloom, codec and style at every reopen (the database must read what
// earlier options wrote and go on correctly), cycling through FIXED_SETS; fs and mem stay.
import type { CompressionName, Options } from '../../../src/index.js';
import { compactionOptions, Rng } from '../../../src/testing/index.js';
import { compressionsThatValidate } from './compressions.js';

export interface OptionSet {
  bs: number;
  bloom: number;
  comp: CompressionName;
  style: 'leveled' | 'tiered';
  mem: 'tiny' | 'default';
  bg: number;
  fs: 'mem' | 'node';
  reopen: 'same' | 'rotate';
}

export function formatSet(s: OptionSet): string {
  return `bs=${s.bs},bloom=${s.bloom},comp=${s.comp},style=${s.style},mem=${s.mem},bg=${s.bg},fs=${s.fs},reopen=${s.reopen}`;
}

/** Parses a spec string; throws naming the bad field. */
export function parseSet(spec: string): OptionSet {
  const f = new Map(spec.split(',').map((p) => p.split('=') as [string, string]));
  const get = (k: string): string => {
    const v = f.get(k);
    if (v === undefined) throw new Error(`option set '${spec}': missing ${k}=`);
    return v;
  };
  const oneOf = <T extends string>(k: string, xs: readonly T[]): T => {
    const v = get(k);
    if (!(xs as readonly string[]).includes(v))
      throw new Error(`option set '${spec}': ${k} must be one of ${xs}`);
    return v as T;
  };
  return {
    bs: Number(get('bs')),
    bloom: Number(get('bloom')),
    comp: get('comp') as CompressionName,
    style: oneOf('style', ['leveled', 'tiered'] as const),
    mem: oneOf('mem', ['tiny', 'default'] as const),
    bg: Number(get('bg')),
    fs: oneOf('fs', ['mem', 'node'] as const),
    reopen: oneOf('reopen', ['same', 'rotate'] as const),
  };
}

/** The engine options of a set (without fileSystem; run.ts adds it for fs=mem). */
export function optionsOf(s: OptionSet): Partial<Options> {
  const o: Partial<Options> = {
    blockSize: s.bs,
    bloomBitsPerKey: s.bloom,
    compression: s.comp,
    compactionStyle: s.style,
    backgroundThreads: s.bg,
    flushInWorker: s.bg > 0,
  };
  return s.mem === 'tiny' ? compactionOptions(s.style, o) : o;
}

type Shape = Omit<OptionSet, 'comp'>;
/** Every value of every dimension appears at least once; codecs are dealt round robin over the ones that
 *  validate (compressions.ts), so each codec meets several shapes. */
const SHAPES: Shape[] = [
  { bs: 4096, bloom: 10, style: 'leveled', mem: 'default', bg: 1, fs: 'node', reopen: 'same' },
  { bs: 256, bloom: 0, style: 'leveled', mem: 'tiny', bg: 0, fs: 'mem', reopen: 'same' },
  { bs: 256, bloom: 10, style: 'tiered', mem: 'tiny', bg: 1, fs: 'node', reopen: 'same' },
  { bs: 4096, bloom: 0, style: 'tiered', mem: 'tiny', bg: 0, fs: 'mem', reopen: 'same' },
  { bs: 256, bloom: 10, style: 'leveled', mem: 'tiny', bg: 1, fs: 'node', reopen: 'same' },
  { bs: 4096, bloom: 10, style: 'leveled', mem: 'tiny', bg: 0, fs: 'node', reopen: 'same' },
  { bs: 256, bloom: 0, style: 'tiered', mem: 'default', bg: 0, fs: 'mem', reopen: 'same' },
  { bs: 4096, bloom: 10, style: 'tiered', mem: 'tiny', bg: 0, fs: 'mem', reopen: 'same' },
  { bs: 256, bloom: 10, style: 'leveled', mem: 'tiny', bg: 0, fs: 'mem', reopen: 'rotate' },
  { bs: 4096, bloom: 0, style: 'tiered', mem: 'tiny', bg: 1, fs: 'node', reopen: 'rotate' },
];

export function fixedSets(
  compressions: readonly CompressionName[] = compressionsThatValidate(),
): OptionSet[] {
  return SHAPES.map((s, i) => ({ ...s, comp: compressions[i % compressions.length]! }));
}

/** A random set (long runs): any combination of the dimensions' values. */
export function randomSet(rng: Rng, compressions: readonly CompressionName[]): OptionSet {
  return {
    bs: rng.pick([64, 256, 1024, 4096, 16384]),
    bloom: rng.pick([0, 1, 10, 20]),
    comp: rng.pick(compressions),
    style: rng.pick(['leveled', 'tiered'] as const),
    mem: rng.pick(['tiny', 'tiny', 'default'] as const),
    bg: rng.pick([0, 1, 2]),
    fs: rng.pick(['mem', 'node'] as const),
    reopen: rng.pick(['same', 'same', 'rotate'] as const),
  };
}

/** The set in force after the n-th reopen (n = 0: at the first open). */
export function setAtOpen(s: OptionSet, n: number, compressions: readonly CompressionName[]): OptionSet {
  if (s.reopen === 'same' || n === 0) return s;
  const f = fixedSets(compressions)[(n - 1) % SHAPES.length]!;
  return { ...s, bs: f.bs, bloom: f.bloom, comp: f.comp, style: f.style };
}
