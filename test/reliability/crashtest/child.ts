// The kill loop's child: opens the database on the real disk and writes until SIGKILLed. argv[2] is a JSON
// ChildConfig. Writes go out in bursts of 1-8 concurrent calls (group commit), each journaled ("B") before
// the call and after its promise resolved ("A"; grammar in workload.ts) with one write(2) to a regular file,
// which a SIGKILL cannot undo: the parent learns exactly what was acknowledged and what was in flight.
// stdout: "ready" once open, then "S <acks> <flushes> <compactions> <compacting 0|1> <immutable memtables>"
// whenever one of those changes after an ack, so the parent can aim its kill at a flush or a compaction.
// Any rejected write or error ends the process with a non-zero code (the parent reports it as a failure).
import { openSync, writeSync } from 'node:fs';
import { GraniteDB, WriteBatch, type Options } from '../../../src/index.js';
import { Rng } from '../../../src/testing/index.js';
import { ackLine, beginLine, entriesOf, nextOp, valueFor, type Op } from './workload.js';

export interface ChildConfig {
  dir: string;
  journal: string;
  cycle: number;
  /** Seeds the op stream of this cycle. */
  opSeed: number;
  options: Partial<Options>;
}

const cfg = JSON.parse(process.argv[2]!) as ChildConfig;
process.on('unhandledRejection', (err) => {
  process.stderr.write(`child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});

const db = await GraniteDB.open(cfg.dir, cfg.options);
const journal = openSync(cfg.journal, 'a');
const rng = new Rng(cfg.opSeed);
let acks = 0;
let last = '';

function report(): void {
  const s = db.stats();
  const state = `${s.counters.flushes} ${s.counters.compactions} ${s.compacting ? 1 : 0} ${s.immutableMemtables}`;
  if (state === last) return;
  last = state;
  process.stdout.write(`S ${acks} ${state}\n`);
}

function issue(i: number, op: Op): Promise<void> {
  switch (op.t) {
    case 'put':
      return db.put(op.k, valueFor(cfg.cycle, i, 0, op.len), { sync: op.sync });
    case 'del':
      return db.delete(op.k, { sync: op.sync });
    case 'batch': {
      const b = new WriteBatch();
      for (const [j, e] of entriesOf(op).entries()) {
        if (e.len < 0) b.delete(e.k);
        else b.put(e.k, valueFor(cfg.cycle, i, j, e.len));
      }
      return db.write(b, { sync: op.sync });
    }
    case 'flush':
      return db.flush();
  }
}

process.stdout.write('ready\n');
for (let i = 0; ;) {
  const depth = rng.next() < 0.5 ? 1 : rng.range(2, 8);
  const inflight: Promise<void>[] = [];
  for (let d = 0; d < depth; d++, i++) {
    const op = nextOp(rng);
    const n = i;
    writeSync(journal, beginLine(n, op));
    inflight.push(
      issue(n, op).then(() => {
        writeSync(journal, ackLine(n));
        acks++;
        report();
      }),
    );
  }
  await Promise.all(inflight);
}
