// Command-line flags of bench/run.ts, parsed by hand (a handful of flags, no dependency).
import { ENGINES, type EngineName, PEERS, isEngineName } from './adapters/engine.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

export interface CliOptions {
  engines: EngineName[];
  workloads: WorkloadName[];
  num: number;
  repeat: number;
  seed: number;
  json?: string;
  report: boolean;
  help: boolean;
}

export const USAGE = `usage: node dist/bench/run.js [flags]
  --engines a,b        engines to run: ${ENGINES.join(', ')} (default: granitedb)
  --peers              granitedb plus every peer (${PEERS.join(', ')})
  --workloads a,b      subset of: ${WORKLOADS.join(', ')} (default: all)
  --num N              keys for the 100-byte workloads (default 1000000); 4 KiB rows use N/5
  --repeat R           repetitions, engines interleaved (default 1; use >= 3 for quoted figures)
  --seed S             data and access-order seed (default 1)
  --json FILE          write the results JSON to FILE
  --report             rewrite docs/benchmarks.md from this run's results
  --help               this text`;

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

const isWorkload = (s: string): s is WorkloadName => (WORKLOADS as readonly string[]).includes(s);

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    engines: ['granitedb'],
    workloads: [...WORKLOADS],
    num: 1_000_000,
    repeat: 1,
    seed: 1,
    report: false,
    help: false,
  };
  let enginesGiven = false;
  let peers = false;
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
        opts.workloads = list(value(), isWorkload, 'workload');
        break;
      case '--num':
        opts.num = positiveInt(value(), flag);
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
  return opts;
}
