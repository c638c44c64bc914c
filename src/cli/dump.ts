// dump-sst, dump-wal, dump-manifest: print one file with the engine's own decoders (TableReader, readLogFile +
// visitBatch, decodeVersionEdit); there is no second parser here. Human output by default, one JSON document
// with --json. Log files are read with 'skip-any-corrupted' so every intact record is shown; the first damage
// is then reported as a CorruptionError (exit 1) after the listing.
import { basename } from 'node:path';
import { CorruptionError } from '../errors/errors.js';
import { parseFileName } from '../format/filenames.js';
import { Kind, trailerKind, trailerSeq } from '../format/keys.js';
import { NodeFileSystem } from '../fs/node-fs.js';
import { TableReader } from '../sstable/table-reader.js';
import { readLogFile } from '../wal/log-reader.js';
import { batchCount, batchSeq, visitBatch } from '../batch/batch-reader.js';
import { decodeVersionEdit, type VersionEdit } from '../version/version-edit.js';
import { binaryBytes, encodeBytes, printable, type CliEncoding } from './encoding.js';
import { UserError } from './errors.js';
import { formatBytes } from './progress.js';
import type { Output } from './output.js';

const fs = new NodeFileSystem();

function kindName(kind: number): string {
  return kind === Kind.Value ? 'put' : kind === Kind.Delete ? 'del' : `kind${kind}`;
}

function readWhole(file: string): Buffer {
  try {
    return fs.readFile(file);
  } catch (err) {
    throw unreadable(file, err);
  }
}

function unreadable(file: string, err: unknown): UserError {
  const code = (err as { code?: string }).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : ((err as Error).message ?? String(err));
  return new UserError(`cannot read ${file}: ${why}`);
}

/** Prints a table file: properties, then every data block and its entries. */
export async function dumpSst(file: string, enc: CliEncoding, json: boolean, out: Output): Promise<void> {
  const name = basename(file);
  let raf;
  try {
    raf = fs.openRead(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  const counters = { blockReads: 0, bloomChecks: 0, bloomNegatives: 0, indexLookups: 0 };
  const t = TableReader.open(raf, parseFileName(name)?.num ?? 0, name, undefined, counters);
  try {
    const p = t.props;
    const k = (s: string): string =>
      json ? encodeBytes(binaryBytes(s), enc) : printable(binaryBytes(s), enc);
    if (json) {
      const blocks = [];
      for (let i = 0; i < t.blockCount; i++) {
        const b = t.decodeDataBlock(i);
        blocks.push({
          index: i,
          offset: t.blockOffsets[i],
          size: t.blockSizes[i],
          entries: b.keys.map((key, j) => {
            const kind = trailerKind(b.trailers[j]!);
            const e: Record<string, unknown> = {
              key: k(key),
              seq: trailerSeq(b.trailers[j]!),
              kind: kindName(kind),
            };
            if (kind === Kind.Value) {
              const o = b.valueOffsets[j]!;
              e.value = encodeBytes(b.data.subarray(o, o + b.valueLengths[j]!), enc);
            }
            return e;
          }),
        });
      }
      const props = {
        ...p,
        smallestKey: k(p.smallestKey),
        largestKey: k(p.largestKey),
      };
      await out.line(JSON.stringify({ file: name, size: t.size, properties: props, blocks }));
      return;
    }
    await out.line(
      `table ${name}: ${formatBytes(t.size)}, ${t.blockCount} data blocks, format ${p.formatVersion}, codec ${p.codec}`,
    );
    await out.line(
      `  entries ${p.entries} (${p.deletions} deletions), raw keys ${formatBytes(p.rawKeyBytes)}, raw values ${formatBytes(p.rawValueBytes)}`,
    );
    await out.line(
      `  seq ${p.smallestSeq}..${p.largestSeq}, keys ${k(p.smallestKey)} @${trailerSeq(p.smallestTrailer)} .. ${k(p.largestKey)} @${trailerSeq(p.largestTrailer)}`,
    );
    for (let i = 0; i < t.blockCount; i++) {
      const b = t.decodeDataBlock(i);
      await out.line(`block ${i} @${t.blockOffsets[i]}, ${t.blockSizes[i]} bytes, ${b.keys.length} entries`);
      for (let j = 0; j < b.keys.length; j++) {
        const kind = trailerKind(b.trailers[j]!);
        const seq = trailerSeq(b.trailers[j]!);
        if (kind === Kind.Value) {
          const o = b.valueOffsets[j]!;
          const v = printable(b.data.subarray(o, o + b.valueLengths[j]!), enc);
          await out.line(`  @${seq} put ${k(b.keys[j]!)} => ${v}`);
        } else {
          await out.line(`  @${seq} ${kindName(kind)} ${k(b.keys[j]!)}`);
        }
      }
    }
  } finally {
    t.unref();
  }
}

/** Prints every batch of a WAL file: its sequence number and operations. */
export async function dumpWal(file: string, enc: CliEncoding, json: boolean, out: Output): Promise<void> {
  const name = basename(file);
  const buf = readWhole(file);
  const records: { offset: number; seq: number; count: number; ops: Record<string, unknown>[] }[] = [];
  let damage: CorruptionError | undefined;
  const outcome = readLogFile(buf, name, 'skip-any-corrupted', true, (r) => {
    const ops: Record<string, unknown>[] = [];
    const seq = batchSeq(r.data);
    try {
      visitBatch(r.data, r.data.length, name, r.offset, (kind, ks, ke, vs, ve) => {
        const show = json ? encodeBytes : printable;
        const op: Record<string, unknown> = {
          seq: seq + ops.length,
          kind: kindName(kind),
          key: show(r.data.subarray(ks, ke), enc),
        };
        if (kind === Kind.Value) op.value = show(r.data.subarray(vs, ve), enc);
        ops.push(op);
      });
    } catch (err) {
      if (!(err instanceof CorruptionError)) throw err;
      damage ??= err;
    }
    records.push({ offset: r.offset, seq, count: batchCount(r.data), ops });
  });
  if (outcome.damageOffset >= 0 && (damage === undefined || outcome.damageOffset < damage.offset)) {
    damage = new CorruptionError(name, outcome.damageOffset, `log record damaged: ${outcome.damage}`);
  }
  if (json) {
    const d = damage === undefined ? undefined : { offset: damage.offset, reason: damage.message };
    await out.line(JSON.stringify({ file: name, size: buf.length, records, damage: d }));
  } else {
    await out.line(`wal ${name}: ${formatBytes(buf.length)}, ${records.length} records`);
    for (const r of records) {
      await out.line(`record @${r.offset}: seq ${r.seq}, ${r.count} ops`);
      for (const op of r.ops) {
        const v = op.value === undefined ? '' : ` => ${String(op.value)}`;
        await out.line(`  @${String(op.seq)} ${String(op.kind)} ${String(op.key)}${v}`);
      }
    }
  }
  await out.flush();
  if (damage !== undefined) throw damage;
}

function editToJson(e: VersionEdit, enc: CliEncoding): Record<string, unknown> {
  const k = (s: string): string => encodeBytes(binaryBytes(s), enc);
  return {
    ...e,
    newFiles: e.newFiles?.map(({ level, meta }) => ({
      level,
      ...meta,
      smallestKey: k(meta.smallestKey),
      largestKey: k(meta.largestKey),
    })),
  };
}

/** Prints every VersionEdit of a MANIFEST file. */
export async function dumpManifest(
  file: string,
  enc: CliEncoding,
  json: boolean,
  out: Output,
): Promise<void> {
  const name = basename(file);
  const buf = readWhole(file);
  const records: { offset: number; edit: VersionEdit }[] = [];
  let damage: CorruptionError | undefined;
  const outcome = readLogFile(buf, name, 'skip-any-corrupted', true, (r) => {
    try {
      records.push({ offset: r.offset, edit: decodeVersionEdit(r.data, name, r.offset) });
    } catch (err) {
      if (!(err instanceof CorruptionError)) throw err;
      damage ??= err;
    }
  });
  if (outcome.damageOffset >= 0 && (damage === undefined || outcome.damageOffset < damage.offset)) {
    damage = new CorruptionError(name, outcome.damageOffset, `log record damaged: ${outcome.damage}`);
  }
  if (json) {
    const d = damage === undefined ? undefined : { offset: damage.offset, reason: damage.message };
    const recs = records.map((r) => ({ offset: r.offset, edit: editToJson(r.edit, enc) }));
    await out.line(JSON.stringify({ file: name, size: buf.length, records: recs, damage: d }));
  } else {
    const k = (s: string): string => printable(binaryBytes(s), enc);
    await out.line(`manifest ${name}: ${formatBytes(buf.length)}, ${records.length} records`);
    for (const { offset, edit: e } of records) {
      const fields: string[] = [];
      if (e.formatVersion !== undefined) fields.push(`format ${e.formatVersion}`);
      if (e.logNumber !== undefined) fields.push(`log number ${e.logNumber}`);
      if (e.nextFileNumber !== undefined) fields.push(`next file ${e.nextFileNumber}`);
      if (e.lastSequence !== undefined) fields.push(`last seq ${e.lastSequence}`);
      await out.line(`record @${offset}: ${fields.join(', ') || '(no counters)'}`);
      for (const w of e.newWals ?? []) await out.line(`  + wal ${String(w).padStart(6, '0')}.log`);
      for (const d of e.deletedFiles ?? [])
        await out.line(`  - L${d.level} ${String(d.fileNum).padStart(6, '0')}.sst`);
      for (const { level, meta: m } of e.newFiles ?? []) {
        await out.line(
          `  + L${level} ${String(m.fileNum).padStart(6, '0')}.sst ${formatBytes(m.size)}, keys ${k(m.smallestKey)} @${trailerSeq(m.smallestTrailer)} .. ${k(m.largestKey)} @${trailerSeq(m.largestTrailer)}, seq ${m.smallestSeq}..${m.largestSeq}`,
        );
      }
    }
  }
  await out.flush();
  if (damage !== undefined) throw damage;
}
