// Table open cost (ADR 0014): opens each given table file R times in this process (default 30) and prints
// the milliseconds of each open (footer, index, metaindex, properties, filter) and the table's block count.
// Usage: npm run -s build && node scripts/open-probe.mjs DIR/000040.sst [more.sst ...]   (R=10 for fewer)
//        HANDOVER=1 ...: opens with the index and filter handed over (as a compaction worker's result does,
//        ADR 0014), so only footer, metaindex and properties are read.
// A table to open: `node scripts/getsync-probe.mjs build /tmp/rrdb` leaves a 1M-key tree of ~60 MB tables.
import { NodeFileSystem } from '../dist/src/fs/node-fs.js';
import { TableReader } from '../dist/src/sstable/table-reader.js';

const fs = new NodeFileSystem();
const rounds = Number(process.env.R ?? 30);
const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
for (const name of process.argv.slice(2)) {
  const ms = [];
  let blocks = 0;
  let preparsed;
  if (process.env.HANDOVER) {
    const first = TableReader.open(fs.openRead(name), 1, name, undefined, counters);
    preparsed = { index: first.index, filter: first.filterContents };
  }
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const reader = TableReader.open(fs.openRead(name), 1, name, undefined, counters, preparsed);
    ms.push(performance.now() - t);
    blocks = reader.blockCount;
    reader.unref();
  }
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(
    `${name}: ${blocks} blocks, open ms median ${sorted[Math.floor(rounds / 2)].toFixed(2)}, ` +
      `min ${sorted[0].toFixed(2)}, max ${sorted[rounds - 1].toFixed(2)}; in order: ${ms.map((x) => x.toFixed(1)).join(' ')}`,
  );
}
