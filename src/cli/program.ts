// The granite command line: `granite <command> [--db DIR]` (commander). Each action opens what it needs,
// does its work, closes, and reports failure as one line on stderr with exit status 1 (see ./errors.ts).
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseFileName } from '../format/filenames.js';
import type { GraniteDB } from '../index.js';
import { ALIASES, WORKLOADS } from '../bench/workloads.js';
import { type BenchOptions, runBench } from './bench.js';
import { checkDatabase, checkWorkUnits } from './check.js';
import { lockForRead, openForRead, openForWrite, requireDatabase } from './database.js';
import { dumpManifest, dumpSst, dumpWal } from './dump.js';
import { decodeText, encodeBytes, ENCODINGS, printable, type CliEncoding } from './encoding.js';
import { describeError, exitCodeOf, UserError } from './errors.js';
import { formatOf, LOAD_FORMATS, loadFile, type LoadFormat } from './load.js';
import { Output } from './output.js';
import { formatBytes, Progress } from './progress.js';

const DEFAULT_DB = './granite-data';

interface DbOpts {
  db: string;
}
interface EncOpts {
  encoding: CliEncoding;
}

function version(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function parseCount(what: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${what} must be a whole number`);
    return Number(v);
  };
}

function parsePositive(what: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v) || Number(v) === 0)
      throw new InvalidArgumentError(`${what} must be a positive number`);
    return Number(v);
  };
}

function withDb(cmd: Command): Command {
  return cmd.option('--db <dir>', 'database directory', DEFAULT_DB);
}

function withEncoding(cmd: Command): Command {
  return cmd.addOption(
    new Option('--encoding <enc>', 'encoding of keys and values, in and out')
      .choices(ENCODINGS)
      .default('utf8'),
  );
}

/** Wraps an action: errors become one line on stderr and a non-zero exit status. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`granite: ${describeError(err)}\n`);
      if (process.env.GRANITE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = exitCodeOf(err);
    }
  };
}

async function withDatabase(
  open: Promise<{ db: GraniteDB; close(): Promise<void> }>,
  fn: (db: GraniteDB) => Promise<void>,
): Promise<void> {
  const h = await open;
  try {
    await fn(h.db);
  } finally {
    await h.close();
  }
}

/** Sizes of the engine's files in `dir`, by kind. */
function diskUsage(dir: string): Record<string, { files: number; bytes: number }> {
  const usage: Record<string, { files: number; bytes: number }> = {};
  for (const name of readdirSync(dir)) {
    const kind = parseFileName(name)?.kind ?? 'other';
    if (kind === 'lock') continue; // ours, while stats runs
    const u = (usage[kind] ??= { files: 0, bytes: 0 });
    u.files++;
    try {
      u.bytes += statSync(join(dir, name)).size;
    } catch {
      // vanished: count the name only
    }
  }
  return usage;
}

function levelShape(db: GraniteDB): string {
  return db
    .stats()
    .levels.filter((l) => l.files > 0)
    .map((l) => `L${l.level}: ${l.files} files ${formatBytes(l.bytes)}`)
    .join(', ');
}

export function buildProgram(): Command {
  const program = new Command('granite')
    .description('Inspect and maintain a granitedb database.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      // commander's errors: one line, prefixed like ours
      outputError: (str, write) =>
        write(
          `granite: ${str
            .replace(/^error: /, '')
            .trim()
            .replace(/\n+/g, ' ')}\n`,
        ),
    });

  withEncoding(
    withDb(
      program
        .command('put')
        .description('store VALUE under KEY')
        .argument('<key>')
        .argument('<value>')
        .option('--create', 'create the database if it does not exist'),
    ),
  ).action(
    action(async (key: string, value: string, o: DbOpts & EncOpts & { create?: boolean }) => {
      const k = decodeText(key, o.encoding, 'key');
      const v = decodeText(value, o.encoding, 'value');
      await withDatabase(openForWrite(o.db, o.create === true), (db) => db.put(k, v, { sync: true }));
    }),
  );

  withEncoding(
    withDb(
      program
        .command('get')
        .description('print the value of KEY (exit 1 when it is absent)')
        .argument('<key>'),
    ),
  ).action(
    action(async (key: string, o: DbOpts & EncOpts) => {
      const k = decodeText(key, o.encoding, 'key');
      await withDatabase(openForRead(o.db), async (db) => {
        const v = await db.get(k);
        if (v === undefined) throw new UserError(`not found: ${key}`);
        // utf8: the raw bytes, so binary values survive a pipe; hex/base64: the text.
        process.stdout.write(o.encoding === 'utf8' ? v : encodeBytes(v, o.encoding));
        process.stdout.write('\n');
      });
    }),
  );

  withEncoding(
    withDb(program.command('del').description('delete KEY (no error when absent)').argument('<key>')),
  ).action(
    action(async (key: string, o: DbOpts & EncOpts) => {
      const k = decodeText(key, o.encoding, 'key');
      await withDatabase(openForWrite(o.db, false), (db) => db.delete(k, { sync: true }));
    }),
  );

  withEncoding(
    withDb(
      program
        .command('scan')
        .description('list entries in key order, one per line: KEY<tab>VALUE (or JSON lines with --json)')
        .option('--prefix <prefix>', 'only keys that start with PREFIX')
        .option('--start <key>', 'first key (inclusive)')
        .option('--end <key>', 'stop before this key (exclusive)')
        .option('--limit <n>', 'at most N entries', parseCount('--limit'))
        .option('--reverse', 'descending key order')
        .option('--keys-only', 'print keys only')
        .option('--json', 'one JSON object per line: {"key": ..., "value": ...}'),
    ),
  ).action(
    action(
      async (
        o: DbOpts &
          EncOpts & {
            prefix?: string;
            start?: string;
            end?: string;
            limit?: number;
            reverse?: boolean;
            keysOnly?: boolean;
            json?: boolean;
          },
      ) => {
        const range: { prefix?: Buffer; gte?: Buffer; lt?: Buffer } = {};
        if (o.prefix !== undefined) range.prefix = decodeText(o.prefix, o.encoding, '--prefix');
        if (o.start !== undefined) range.gte = decodeText(o.start, o.encoding, '--start');
        if (o.end !== undefined) range.lt = decodeText(o.end, o.encoding, '--end');
        await withDatabase(openForRead(o.db), async (db) => {
          const out = new Output();
          const it = db.iterator({
            ...range,
            reverse: o.reverse === true,
            values: o.keysOnly !== true,
            ...(o.limit !== undefined ? { limit: o.limit } : {}),
          });
          for (const [k, v] of it) {
            if (o.json) {
              const rec: { key: string; value?: string } = { key: encodeBytes(k!, o.encoding) };
              if (v !== undefined) rec.value = encodeBytes(v, o.encoding);
              await out.line(JSON.stringify(rec));
            } else {
              const key = printable(k!, o.encoding);
              await out.line(v === undefined ? key : `${key}\t${printable(v, o.encoding)}`);
            }
          }
          await out.flush();
        });
      },
    ),
  );

  withDb(
    program
      .command('stats')
      .description('level shape, file sizes, sequence number and counters')
      .option('--json', 'print the stats as one JSON object'),
  ).action(
    action(async (o: DbOpts & { json?: boolean }) => {
      await withDatabase(openForRead(o.db), async (db) => {
        const s = db.stats();
        const disk = diskUsage(o.db);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...s, disk })}\n`);
          return;
        }
        const lines: string[] = [];
        lines.push(`database   ${o.db}`);
        lines.push(`sequence   ${s.seq}`);
        lines.push(`memtable   ${formatBytes(s.memtableBytes)} (replayed from the WAL)`);
        lines.push('level  files  bytes');
        for (const l of s.levels) {
          lines.push(`L${l.level}     ${String(l.files).padStart(5)}  ${formatBytes(l.bytes)}`);
        }
        lines.push('files on disk');
        let total = 0;
        for (const [kind, u] of Object.entries(disk).sort()) {
          lines.push(`  ${kind.padEnd(9)} ${String(u.files).padStart(5)}  ${formatBytes(u.bytes)}`);
          total += u.bytes;
        }
        lines.push(`  total           ${formatBytes(total)}`);
        // A read-only open does little work, so most counters are zero: show the others (all with --json).
        const counters = Object.entries(s.counters).filter(([, v]) => typeof v === 'number' && v !== 0);
        lines.push(`counters (this process; ${counters.length === 0 ? 'all zero' : 'non-zero only'})`);
        for (const [k, v] of counters) {
          lines.push(`  ${k.padEnd(22)} ${Number.isInteger(v) ? v : (v as number).toFixed(1)}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    }),
  );

  withEncoding(
    withDb(
      program
        .command('compact')
        .description('compact the key range [START, END] (default: everything)')
        .option('--start <key>', 'first key (inclusive)')
        .option('--end <key>', 'last key (inclusive)'),
    ),
  ).action(
    action(async (o: DbOpts & EncOpts & { start?: string; end?: string }) => {
      const start = o.start === undefined ? undefined : decodeText(o.start, o.encoding, '--start');
      const end = o.end === undefined ? undefined : decodeText(o.end, o.encoding, '--end');
      await withDatabase(openForWrite(o.db, false), async (db) => {
        const before = levelShape(db);
        const engine = db as GraniteDB & { compactRange?: (s?: Buffer, e?: Buffer) => Promise<void> };
        const canCompact = typeof engine.compactRange === 'function';
        const bar = Progress.forStdout(canCompact ? 'compacting' : 'flushing', 0);
        try {
          if (canCompact) await engine.compactRange!(start, end);
          else await db.flush();
        } catch (err) {
          bar.abort();
          throw err;
        }
        bar.finish();
        if (!canCompact)
          process.stdout.write(
            'compactRange is not available in this engine version; flushed the memtable instead\n',
          );
        process.stdout.write(`before: ${before || 'empty'}\nafter:  ${levelShape(db) || 'empty'}\n`);
      });
    }),
  );

  withDb(
    program
      .command('check')
      .description('verify every checksum and invariant; exit 1 naming each damaged file and offset'),
  ).action(
    action(async (o: DbOpts) => {
      requireDatabase(o.db);
      const release = lockForRead(o.db);
      try {
        const bar = Progress.forStdout('checking', checkWorkUnits(o.db), (n) => `${n}`);
        const r = await checkDatabase(o.db, bar);
        if (r.problems.length > 0) bar.abort();
        else bar.finish();
        if (r.problems.length > 0) {
          for (const p of r.problems) process.stderr.write(`granite: ${p}\n`);
          throw new UserError(
            `check failed: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`,
          );
        }
        process.stdout.write(
          `ok: ${r.manifest} (${r.manifestRecords} records), ${r.tables} tables (${r.blocks} blocks), ` +
            `${r.wals} WALs (${r.walRecords} records), ${r.entries} live entries\n`,
        );
      } finally {
        release();
      }
    }),
  );

  for (const [name, what, dump] of [
    ['dump-sst', 'a table file (.sst): properties, blocks and entries', dumpSst],
    ['dump-wal', 'a WAL file (.log): every batch and its operations', dumpWal],
    ['dump-manifest', 'a MANIFEST file: every version edit', dumpManifest],
  ] as const) {
    withEncoding(
      program
        .command(name)
        .description(`print ${what}`)
        .argument('<file>')
        .option('--json', 'print one JSON document'),
    ).action(
      action(async (file: string, o: EncOpts & { json?: boolean }) => {
        const out = new Output();
        await dump(file, o.encoding, o.json === true, out);
        await out.flush();
      }),
    );
  }

  withEncoding(
    withDb(
      program
        .command('load')
        .description('import key/value records from newline-delimited JSON or CSV, in batches')
        .argument('<file>')
        .addOption(
          new Option('--format <format>', 'input format (default: from the file name)').choices(LOAD_FORMATS),
        )
        .option('--batch-size <n>', 'records per atomic batch', parsePositive('--batch-size'), 1000)
        .option('--create', 'create the database if it does not exist'),
    ),
  ).action(
    action(
      async (
        file: string,
        o: DbOpts & EncOpts & { format?: LoadFormat; batchSize: number; create?: boolean },
      ) => {
        const format = o.format ?? formatOf(file);
        await withDatabase(openForWrite(o.db, o.create === true), async (db) => {
          const r = await loadFile(db, file, format, o.encoding, o.batchSize, (total) =>
            Progress.forStdout('loading', total, formatBytes),
          );
          await db.flush();
          process.stdout.write(`loaded ${r.records} records in ${r.batches} batches\n`);
        });
      },
    ),
  );

  program
    .command('bench')
    .description('benchmark granitedb on a scratch directory: db_bench workloads, YCSB A–F, sustained writes')
    .option('--workloads <list>', 'comma-separated workloads and groups (see below)', 'dbbench')
    .option(
      '--num <n>',
      'keys for the db_bench workloads (4 KiB rows use N/5)',
      parsePositive('--num'),
      100_000,
    )
    .option('--records <n>', 'YCSB records loaded', parsePositive('--records'), 100_000)
    .option('--operations <n>', 'YCSB operations per workload A–F', parsePositive('--operations'), 100_000)
    .option('--clients <n>', 'YCSB operations in flight', parsePositive('--clients'), 16)
    .option(
      '--sustained-num <n>',
      'keys written by the sustained scenario',
      parsePositive('--sustained-num'),
      1_000_000,
    )
    .option('--seed <n>', 'data and access-order seed', parsePositive('--seed'), 1)
    .option('--dir <dir>', 'scratch directory, empty or new (default: a temporary one, removed afterwards)')
    .option('--json', 'print the results as one JSON document')
    .addHelpText(
      'after',
      `\nWorkloads: ${WORKLOADS.join(', ')}.\nGroups: ${Object.entries(ALIASES)
        .map(([k, v]) => `${k} (${v.length})`)
        .join(', ')}; dbbench is the default. See docs/cli.md and docs/benchmarks.md.`,
    )
    .action(action((o: BenchOptions) => runBench(o, version())));

  return program;
}
