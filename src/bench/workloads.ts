// The registry of benchmark workloads: every name, its spec, and the phases they run in. A phase is one
// fresh database: its first workload always runs (it fills the database; it is reported only if
// selected) and the phase's other selected workloads run after it, in order, on what it left.
import { DB_BENCH_SPECS, DB_BENCH_WORKLOADS } from './db-bench.js';
import type { WorkloadSpec } from './spec.js';
import { SUSTAINED_SPEC } from './sustained.js';
import { YCSB_PHASE, YCSB_SPECS, YCSB_WORKLOADS } from './ycsb.js';

export const WORKLOADS = [...DB_BENCH_WORKLOADS, ...YCSB_WORKLOADS, 'sustained'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const SPECS: Record<WorkloadName, WorkloadSpec<WorkloadName>> = {
  ...DB_BENCH_SPECS,
  ...YCSB_SPECS,
  sustained: SUSTAINED_SPEC,
};

/** What runs when no workloads are named: everything but the long sustained-write scenario. */
export const DEFAULT_WORKLOADS: readonly WorkloadName[] = WORKLOADS.filter((w) => w !== 'sustained');

/** Names that stand for several workloads on the command line. */
export const ALIASES: Readonly<Record<string, readonly WorkloadName[]>> = {
  all: WORKLOADS,
  default: DEFAULT_WORKLOADS,
  dbbench: DB_BENCH_WORKLOADS,
  ycsb: YCSB_WORKLOADS,
};

export const isWorkloadName = (s: string): s is WorkloadName => (WORKLOADS as readonly string[]).includes(s);

/** Expands a comma-separated list of names and aliases; throws naming the first unknown one. */
export function parseWorkloads(list: string): WorkloadName[] {
  const out = new Set<WorkloadName>();
  for (const item of list.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const alias = ALIASES[item];
    if (alias !== undefined) for (const w of alias) out.add(w);
    else if (isWorkloadName(item)) out.add(item);
    else throw new Error(`unknown workload '${item}'`);
  }
  return WORKLOADS.filter((w) => out.has(w));
}

export interface Phase {
  name: string;
  workloads: readonly WorkloadName[];
  /** The phase writes with sync: true (see OpenOptions.syncWrites). */
  syncWrites: boolean;
}

/** Phases in the order they run. */
export const PHASES: readonly Phase[] = [
  { name: 'seq', workloads: ['fillseq'], syncWrites: false },
  {
    name: 'main',
    workloads: [
      'fillrandom',
      'overwrite',
      'readrandom',
      'readrandomsync',
      'readmissing',
      'seekrandom',
      'readseq',
    ],
    syncWrites: false,
  },
  { name: 'single', workloads: ['fillrandomsingle'], syncWrites: false },
  { name: 'sync', workloads: ['fillsync'], syncWrites: true },
  { name: 'large', workloads: ['fill4k', 'readrandom4k'], syncWrites: false },
  { name: 'ycsb', workloads: YCSB_PHASE, syncWrites: false },
  { name: 'sustained', workloads: ['sustained'], syncWrites: false },
];
