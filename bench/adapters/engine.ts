// The engines of the peer harness and the loader that opens one by name. The interface every adapter
// implements is src/bench/engine.ts (shared with `granite bench`); this file narrows its name to the
// engines the harness knows.
import type { BenchEngine, OpenOptions } from '../../src/bench/engine.js';

export type { Bytes, EngineStats, OpenOptions, ScanTotals, TreeLevel } from '../../src/bench/engine.js';

export const ENGINES = ['granitedb', 'classic-level', 'lmdb', 'rocksdb'] as const;
export type EngineName = (typeof ENGINES)[number];
export const PEERS: readonly EngineName[] = ENGINES.filter((e) => e !== 'granitedb');

export interface Engine extends BenchEngine {
  readonly name: EngineName;
}

export type EngineOpener = (dir: string, options: OpenOptions) => Promise<Engine>;

/** Opens `name` on a fresh directory `dir`. Each adapter module exports `open`. */
export async function openEngine(name: EngineName, dir: string, options: OpenOptions): Promise<Engine> {
  const mod = (await import(`./${name}.js`)) as { open: EngineOpener };
  return mod.open(dir, options);
}

export function isEngineName(s: string): s is EngineName {
  return (ENGINES as readonly string[]).includes(s);
}
