// Runs every compiled test file under dist/ with node's test runner, then any extra suites
// (tape-based conformance suites register themselves in EXTRA_SUITES), and prints one closing
// line "N passed, N failed" that sums them all. Usage: node scripts/run-tests.mjs [filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const files = [...collect('dist/src', []), ...collect('dist/test', [])]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let passed = 0;
let failed = 0;
let skipped = 0;
if (files.length > 0) {
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  process.stdout.write(r.stdout);
  passed += Number(/ℹ pass (\d+)/.exec(r.stdout)?.[1] ?? 0);
  failed += Number(/ℹ fail (\d+)/.exec(r.stdout)?.[1] ?? 0);
  skipped += Number(/ℹ skipped (\d+)/.exec(r.stdout)?.[1] ?? 0);
  if (r.status !== 0 && failed === 0) failed += 1; // runner crashed without a count
}

// Extra suites: each is a script that prints TAP (tape); counted from its "# pass"/"# fail" lines.
const EXTRA_SUITES = ['dist/test/level/abstract-level-suite.js'];
for (const suite of EXTRA_SUITES) {
  if (!existsSync(suite)) continue;
  if (filters.length > 0 && !filters.some((x) => suite.includes(x))) continue;
  const r = spawnSync(process.execPath, [suite], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const out = r.stdout;
  const p = Number(/^# pass\s+(\d+)/m.exec(out)?.[1] ?? 0);
  const f = Number(/^# fail\s+(\d+)/m.exec(out)?.[1] ?? 0);
  for (const line of out.split('\n')) if (line.startsWith('not ok')) process.stdout.write(line + '\n');
  process.stdout.write(`${suite}: ${p} assertions passed, ${f} failed\n`);
  passed += p;
  failed += f;
  if (r.status !== 0 && f === 0) failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
