// Side-by-side runs of one benchmark workload for two variants of granitedb, alternating A, B, A, B, ... one
// bench child each (`dist/bench/run.js --engines granitedb --repeat 1`), so that a drift of the machine
// falls on both alike; prints each variant's median and every run, in ops/s. On this 2-vCPU VM two runs of one
// build differ by up to 15%; eight pairs put the medians of one build twice within 1% (ADR 0025).
// A variant is a built checkout (a directory holding dist/) or `opts:{...}`, this checkout with those
// granitedb options (GRANITE_BENCH_OPTIONS).
// Usage: npm run -s build && node scripts/ab-bench.mjs N WORKLOAD A B
//   e.g. node scripts/ab-bench.mjs 8 fillseq /tmp/base .
//        node scripts/ab-bench.mjs 8 fillseq 'opts:{"walBytesPerSync":0}' 'opts:{}'
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const [n, workload, ...variants] = process.argv.slice(2);
if (n === undefined || workload === undefined || variants.length !== 2) {
  console.error('usage: node scripts/ab-bench.mjs N WORKLOAD A B   (A, B: a built checkout or opts:{json})');
  process.exit(2);
}

function runOnce(variant) {
  const opts = variant.startsWith('opts:') ? variant.slice('opts:'.length) : undefined;
  const root = opts === undefined ? resolve(variant) : resolve('.');
  const env = { ...process.env };
  if (opts !== undefined) env.GRANITE_BENCH_OPTIONS = opts;
  const out = execFileSync(
    'node',
    [`${root}/dist/bench/run.js`, '--engines', 'granitedb', '--workloads', workload, '--repeat', '1'],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const row = out.split('\n').find((l) => l.startsWith(`${workload} `));
  const m = row === undefined ? null : /(\d+(?:\.\d+)?)([kM]?)\s/.exec(row.split(/\s{2,}/)[3] + ' ');
  if (m === null) throw new Error(`no ${workload} row in the output of ${variant}`);
  return Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1);
}

const runs = variants.map(() => []);
for (let i = 0; i < Number(n); i++)
  variants.forEach((v, j) => {
    runs[j].push(runOnce(v));
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const k = (x) => `${(x / 1000).toFixed(0)}k`;
variants.forEach((v, j) =>
  console.log(`${v}: median ${k(median(runs[j]))}  runs ${runs[j].map(k).join(' ')}`),
);
console.log(`B / A: ${(median(runs[1]) / median(runs[0])).toFixed(3)}`);
