// The kill loop (docs/reliability.md "Kill loop"). Per cycle, on one database directory whose expected state
// carries over from cycle to cycle:
//   plan (seeded: compaction style, tiny memtable/target/block sizes, codec, worker threads, kill delay and
//   aim) -> spawn child.ts -> after "ready" and the delay, SIGKILL it at once ('random') or at its next state
//   line showing a pending flush ('flush') or a running compaction ('compaction'), giving up aiming after 2 s
//   -> reopen in-process with compaction held off -> no orphan files -> full scan + point reads judged by
//   expected.ts -> close -> the CLI's `check` (checkDatabase) reports no problem -> next cycle.
// The first failing cycle stops the loop; its directory and journal are kept for inspection.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraniteDB, type CompressionName, type Options } from '../../../src/index.js';
import { checkDatabase } from '../../../src/cli/check.js';
import { Progress } from '../../../src/cli/progress.js';
import { compactionOptions, orphanProblems, Rng } from '../../../src/testing/index.js';
import { compressionsThatValidate } from '../metamorphic/compressions.js';
import type { ChildConfig } from './child.js';
import { ExpectedState, judge } from './expected.js';
import { entriesOf, keyFor, parseJournal } from './workload.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

type Style = 'leveled' | 'tiered';
type Aim = 'random' | 'flush' | 'compaction';

export interface CyclePlan {
  style: Style;
  options: Partial<Options>;
  /** Milliseconds after "ready" before the kill (or before aiming starts). */
  delayMs: number;
  aim: Aim;
  opSeed: number;
}

export interface LoopConfig {
  seed: number;
  cycles: number;
  /** Working directory: the database in <dir>/db, journals in <dir>/journal. */
  dir: string;
  /** Progress lines (one per cycle when verbose). */
  log?: (line: string) => void;
  /** Stop after this many milliseconds even if cycles remain (0: no limit). */
  maxMillis?: number;
}

export interface LoopSummary {
  seed: number;
  cyclesRun: number;
  opsBegun: number;
  opsAcked: number;
  /** Ops begun but not acknowledged at the kills, and how many of them recovery applied. */
  inflight: number;
  inflightApplied: number;
  syncAcked: number;
  nonSyncAcked: number;
  batchesAcked: number;
  /** Kills sent while the child's last state line showed a running compaction / a pending flush. */
  killsDuringCompaction: number;
  killsWithFlushPending: number;
  /** Kills after which recovery swept tables no version referenced (a flush or compaction cut short). */
  killsLeavingPartialTables: number;
  compactionsBeforeKills: number;
  flushesBeforeKills: number;
  styles: Record<Style, number>;
  compressions: Record<string, number>;
  failures: { cycle: number; problems: string[] }[];
  liveKeys: number;
  elapsedMs: number;
}

export function planCycle(rng: Rng, compressions: readonly CompressionName[]): CyclePlan {
  const style: Style = rng.next() < 0.5 ? 'leveled' : 'tiered';
  const options = compactionOptions(style, {
    memtableSize: rng.pick([4096, 8192, 16384]),
    maxImmutableMemtables: rng.pick([1, 2]),
    targetFileSize: rng.pick([4096, 8192, 16384]),
    blockSize: rng.pick([256, 1024, 4096]),
    level0CompactionTrigger: rng.pick([2, 3, 4]),
    backgroundThreads: rng.pick([1, 1, 2]),
    flushInWorker: rng.pick([true, false]),
    compression: rng.pick(compressions),
  });
  const r = rng.next();
  const aim: Aim = r < 0.4 ? 'random' : r < 0.7 ? 'flush' : 'compaction';
  return { style, options, delayMs: rng.range(20, 700), aim, opSeed: rng.int(2 ** 32) };
}

/** Reopen options for checking: the cycle's style, compaction out of reach, so the directory shows exactly
 *  what recovery left. */
function checkOptions(style: Style): Partial<Options> {
  return {
    compactionStyle: style,
    memtableSize: 1 << 22,
    level0CompactionTrigger: 1000,
    level0SlowdownTrigger: 1000,
    level0StopTrigger: 1000,
    backgroundThreads: 0,
  };
}

interface KillResult {
  /** The child's last state line before the kill: compaction running, immutable memtables. */
  compacting: boolean;
  imms: number;
  flushes: number;
  compactions: number;
  onTarget: boolean;
  error: string | undefined;
}

/** Runs one child and SIGKILLs it as planned. */
function runChild(cfg: ChildConfig, plan: CyclePlan): Promise<KillResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const res: KillResult = {
      compacting: false,
      imms: 0,
      flushes: 0,
      compactions: 0,
      onTarget: false,
      error: undefined,
    };
    let buf = '';
    let err = '';
    let ready = false;
    let armed = false;
    let sent = false;
    const timers: NodeJS.Timeout[] = [];
    const kill = (): void => {
      if (sent) return;
      sent = true;
      child.kill('SIGKILL');
    };
    // A child that never becomes ready (e.g. recovery hangs) is a failure, not a wait forever.
    timers.push(setTimeout(() => ((res.error = 'child not ready after 60 s'), kill()), 60_000));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (sent) continue;
        if (line === 'ready' && !ready) {
          ready = true;
          timers.push(
            setTimeout(() => {
              if (plan.aim === 'random') return kill();
              armed = true;
              timers.push(setTimeout(kill, 2000));
            }, plan.delayMs),
          );
          continue;
        }
        const m = /^S (\d+) (\d+) (\d+) ([01]) (\d+)$/.exec(line);
        if (m === null) continue;
        res.flushes = Number(m[2]);
        res.compactions = Number(m[3]);
        res.compacting = m[4] === '1';
        res.imms = Number(m[5]);
        if (armed && (plan.aim === 'compaction' ? res.compacting : res.imms > 0)) {
          res.onTarget = true;
          kill();
        }
      }
    });
    child.stderr.on('data', (s: Buffer) => (err += s.toString()));
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      if (signal !== 'SIGKILL' && res.error === undefined)
        res.error = `child exited by itself (code ${code}, signal ${signal}): ${err.trim()}`;
      else if (err.trim() !== '' && res.error === undefined) res.error = `child stderr: ${err.trim()}`;
      resolve(res);
    });
  });
}

/** Every live key and value, by a full forward scan. */
function scan(db: GraniteDB): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of db.iterator()) out.set(k!.toString('latin1'), v!);
  return out;
}

const tableNames = (names: string[]): Set<string> => new Set(names.filter((n) => n.endsWith('.sst')));

/** Runs the loop; never throws for a database failure (it is reported in `failures`). */
export async function runKillLoop(cfg: LoopConfig): Promise<LoopSummary> {
  const t0 = Date.now();
  const rng = new Rng(cfg.seed);
  const compressions = compressionsThatValidate();
  const dbDir = join(cfg.dir, 'db');
  const journalDir = join(cfg.dir, 'journal');
  mkdirSync(dbDir, { recursive: true });
  mkdirSync(journalDir, { recursive: true });
  const s: LoopSummary = {
    seed: cfg.seed,
    cyclesRun: 0,
    opsBegun: 0,
    opsAcked: 0,
    inflight: 0,
    inflightApplied: 0,
    syncAcked: 0,
    nonSyncAcked: 0,
    batchesAcked: 0,
    killsDuringCompaction: 0,
    killsWithFlushPending: 0,
    killsLeavingPartialTables: 0,
    compactionsBeforeKills: 0,
    flushesBeforeKills: 0,
    styles: { leveled: 0, tiered: 0 },
    compressions: {},
    failures: [],
    liveKeys: 0,
    elapsedMs: 0,
  };
  let model = new ExpectedState();
  for (let cycle = 0; cycle < cfg.cycles; cycle++) {
    if (cfg.maxMillis !== undefined && cfg.maxMillis > 0 && Date.now() - t0 > cfg.maxMillis) break;
    const plan = planCycle(rng, compressions);
    const journal = join(journalDir, `cycle-${cycle}.log`);
    const k = await runChild(
      { dir: dbDir, journal, cycle, opSeed: plan.opSeed, options: plan.options },
      plan,
    );
    s.cyclesRun++;
    s.styles[plan.style]++;
    const codec = plan.options.compression ?? 'none';
    s.compressions[codec] = (s.compressions[codec] ?? 0) + 1;
    const problems: string[] = [];
    if (k.error !== undefined) problems.push(k.error);
    if (k.compacting) s.killsDuringCompaction++;
    if (k.imms > 0) s.killsWithFlushPending++;
    s.compactionsBeforeKills += k.compactions;
    s.flushesBeforeKills += k.flushes;

    const j = parseJournal(readFileSync(journal, 'latin1'));
    const acked = new Set(j.acked);
    s.opsBegun += j.begun.length;
    s.opsAcked += acked.size;
    for (const i of acked) {
      const op = j.begun[i]!;
      if (op.t === 'flush') continue;
      if (op.sync) s.syncAcked++;
      else s.nonSyncAcked++;
      if (op.t === 'batch') s.batchesAcked++;
    }
    const atKill = tableNames(readdirSync(dbDir));

    let verdictNote = '';
    try {
      const db = await GraniteDB.open(dbDir, checkOptions(plan.style));
      try {
        const names = readdirSync(dbDir);
        for (const p of orphanProblems(names, db.stats())) problems.push(`after reopen: ${p}`);
        const after = tableNames(names);
        if ([...atKill].some((n) => !after.has(n))) s.killsLeavingPartialTables++;
        const got = scan(db);
        const v = judge(model, cycle, j, got);
        problems.push(...v.problems);
        s.inflight += v.begun - acked.size;
        // Every acknowledged op lies below mustApply <= prefix, so the rest of the prefix was in flight.
        if (v.prefix >= 0) s.inflightApplied += v.prefix - acked.size;
        verdictNote = `applied ${v.prefix}/${v.begun} (acked ${acked.size}, must ${v.mustApply})`;
        if (v.state !== undefined) {
          // Point reads take other paths (bloom filters, table index seeks) than the scan.
          const keys = new Set<string>();
          for (let i = v.mustApply; i < v.begun; i++) for (const e of entriesOf(j.begun[i]!)) keys.add(e.k);
          const pr = new Rng(plan.opSeed ^ 0x5bd1e995);
          for (let n = 0; n < 64; n++) keys.add(keyFor(pr));
          const list = [...keys];
          const many = await db.getMany(list);
          for (const [n, key] of list.entries()) {
            const p = v.state.problem(key, many[n]);
            if (p !== undefined) problems.push(`getMany: ${p}`);
            const q = v.state.problem(key, n % 4 === 0 ? db.getSync(key) : await db.get(key));
            if (q !== undefined) problems.push(`get: ${q}`);
          }
          model = v.state;
        }
      } finally {
        await db.close();
      }
      if (problems.length === 0) {
        const r = await checkDatabase(dbDir, new Progress('check', 0));
        for (const p of r.problems) problems.push(`check: ${p}`);
      }
    } catch (err) {
      problems.push(
        `reopen/verify threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    s.liveKeys = model.live.size;
    cfg.log?.(
      `cycle ${cycle}: ${plan.style} ${codec} mem ${plan.options.memtableSize} target ` +
        `${plan.options.targetFileSize} threads ${plan.options.backgroundThreads} aim ${plan.aim}` +
        `${plan.aim !== 'random' && !k.onTarget ? ' (missed)' : ''} after ${plan.delayMs} ms: ${j.begun.length} ` +
        `ops begun, ${verdictNote}; flushes ${k.flushes} compactions ${k.compactions}` +
        `${k.compacting ? ' [killed during compaction]' : ''}${k.imms > 0 ? ' [flush pending]' : ''}` +
        `${problems.length > 0 ? ` FAILED: ${problems.length} problems` : ''}`,
    );
    if (problems.length > 0) {
      s.failures.push({ cycle, problems });
      break;
    }
    rmSync(journal, { force: true });
  }
  s.elapsedMs = Date.now() - t0;
  return s;
}
