// Runs abstract-level's own conformance suite (tape) against GraniteLevel, including its rerun on a sublevel.
// Prints TAP with tape's standard summary ("# pass N" / "# fail N"); scripts/run-tests.mjs counts those.
// Every factory() call gets a fresh directory under one temporary root, removed when the suite ends.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { GraniteLevel } from '../../src/level/index.js';

const require = createRequire(import.meta.url);
const suite = require('abstract-level/test') as (o: {
  test: typeof test;
  factory: (o?: object) => unknown;
}) => void;

const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const root = mkdtempSync(join(base, 'granite-level-suite-'));
let n = 0;

// No compaction worker threads: the suite opens about a thousand small databases and a worker thread per
// open costs time and memory (see /work/bugs.md); compaction then runs in-process, which the suite does not
// observe. Set in _open so that the options abstract-level's hooks see stay exactly the suite's.
class SuiteLevel extends GraniteLevel {
  override _open(options: { createIfMissing: boolean; errorIfExists: boolean }): Promise<void> {
    return super._open({ ...options, backgroundThreads: 0 } as typeof options);
  }
}

test.onFinish(() => rmSync(root, { recursive: true, force: true }));

suite({
  test,
  factory(options?: object) {
    return new SuiteLevel(join(root, String(n++)), options);
  },
});
