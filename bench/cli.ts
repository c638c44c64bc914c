// Command-line flags of bench/run.ts, parsed by hand (a handful of flags, no dependency).
import { DEFAULT_SIZES, type Sizes } from '../src/bench/spec.js';
import {
  ALIASES,
  DEFAULT_WORKLOADS,
  WORKLOADS,
  type WorkloadName,
  parseWorkloads,
} from '../src/bench/workloads.js';
import { ENGINES, type EngineName, PEERS, isEngineName } from './adapters/engine.js';

export interface CliOptions extends Sizes {
  engines: EngineName[];
  workloads: WorkloadName[];
  repeat: number;
  seed: number;
  json?: string;
  report: boolean;
  help: boolean;
}

export const USAGE = `usage: node dist/bench/run.js [flags]
  --engines a,b        engines to run: ${ENGINES.join(', ')} (default: granitedb)
  --peers              granitedb plus every peer (${PEERS.join(', ')})
  --workloads a,b      names or groups (${Object.keys(ALIASES).join(', ')}) from:
                       ${WORKLOADS.join(', ')}
                       (default: everything but sustained)
  --sustained          add the sustained-write scenario (granitedb and classic-level only)
  --num N              keys for the db_bench workloads (default ${DEFAULT_SIZES.num}); 4 KiB rows use N/5
  --records N          YCSB records loaded (default ${DEFAULT_SIZES.records})
  --operations N       YCSB operations per workload A–F (default ${DEFAULT_SIZES.operations})
  --clients N          YCSB operations in flight (default ${DEFAULT_SIZES.clients})
  --sustained-num N    keys written by the sustained scenario (default ${DEFAULT_SIZES.sustainedNum})
  --repeat R           repetitions, engines interleaved (default 1; use >= 3 for quoted figures)
  --seed S             data and access-order seed (default 1)
  --json FILE          write the results JSON to FILE
  --report             rewrite docs/benchmarks.md and the charts in docs/benchmarks/ from this run
  --help               this text
environment:
  GRANITE_BENCH_OPTIONS='{"blockCacheSize":67108864}'  opens granitedb with these options (JSON; the
                       report's notes show them); default options otherwise`;

function list<T extends string>(value: string, valid: (s: string) => s is T, what: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) if (!valid(item)) throw new Error(`unknown ${what} '${item}'`);
  return [...new Set(items as T[])];
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got '${value}'`);
  return n;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    engines: ['granitedb'],
    workloads: [...DEFAULT_WORKLOADS],
    ...DEFAULT_SIZES,
    repeat: 1,
    seed: 1,
    report: false,
    help: false,
  };
  let enginesGiven = false;
  let peers = false;
  let sustained = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--engines':
        opts.engines = list(value(), isEngineName, 'engine');
        enginesGiven = true;
        break;
      case '--peers':
        peers = true;
        break;
      case '--workloads':
        opts.workloads = parseWorkloads(value());
        break;
      case '--sustained':
        sustained = true;
        break;
      case '--num':
        opts.num = positiveInt(value(), flag);
        break;
      case '--records':
        opts.records = positiveInt(value(), flag);
        break;
      case '--operations':
        opts.operations = positiveInt(value(), flag);
        break;
      case '--clients':
        opts.clients = positiveInt(value(), flag);
        break;
      case '--sustained-num':
        opts.sustainedNum = positiveInt(value(), flag);
        break;
      case '--repeat':
        opts.repeat = positiveInt(value(), flag);
        break;
      case '--seed':
        opts.seed = positiveInt(value(), flag);
        break;
      case '--json':
        opts.json = value();
        break;
      case '--report':
        opts.report = true;
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        throw new Error(`unknown flag '${arg}'`);
    }
  }
  if (peers && enginesGiven) throw new Error('--peers and --engines cannot be combined');
  if (peers) opts.engines = [...ENGINES];
  if (sustained && !opts.workloads.includes('sustained')) opts.workloads.push('sustained');
  if (opts.workloads.length === 0) throw new Error('--workloads names no workload');
  return opts;
}
