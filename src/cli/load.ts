// granite load FILE: imports newline-delimited JSON ({"key": "...", "value": "..."} per line) or CSV
// (key,value per line; RFC 4180 quoting on one line; a first line "key,value" is a header) in WriteBatches of
// --batch-size records. Keys and values are text in --encoding. Each batch is atomic; a bad line stops the
// load with "FILE:LINE: why" and the batches before it stay written (the message says how many records).
import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { GraniteError, WriteBatch, type GraniteDB } from '../index.js';
import { decodeText, type CliEncoding } from './encoding.js';
import { UserError } from './errors.js';
import type { Progress } from './progress.js';

export type LoadFormat = 'ndjson' | 'csv';
export const LOAD_FORMATS = ['ndjson', 'csv'] as const;

/** The format of `file` from its extension; a UserError when it cannot tell. */
export function formatOf(file: string): LoadFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return 'ndjson';
  throw new UserError(`cannot tell the format of ${file} from its name; use --format ndjson or --format csv`);
}

/** Fields of one CSV line (RFC 4180 quoting, no line breaks inside fields); undefined when malformed. */
export function parseCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let f = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined; // unterminated quote
        f += line.slice(i, q);
        if (line[q + 1] === '"') {
          f += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(f);
      if (i === line.length) return fields;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      const f = c < 0 ? line.slice(i) : line.slice(i, c);
      if (f.includes('"')) return undefined;
      fields.push(f);
      if (c < 0) return fields;
      i = c + 1;
    }
  }
}

export interface LoadResult {
  records: number;
  batches: number;
}

export async function loadFile(
  db: GraniteDB,
  file: string,
  format: LoadFormat,
  enc: CliEncoding,
  batchSize: number,
  progress: (total: number) => Progress,
): Promise<LoadResult> {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UserError(`cannot read ${file}: ${why}`);
  }
  const stream = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UserError(
      `cannot read ${file}: ${code === 'EACCES' ? 'permission denied' : (err as Error).message}`,
    );
  }
  const bar = progress(size);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const result: LoadResult = { records: 0, batches: 0 };
  let batch = new WriteBatch();
  let lineNo = 0;
  const fail = (why: string): never => {
    const done =
      result.records === 0 ? 'nothing was loaded' : `${result.records} records before it were loaded`;
    throw new UserError(`${file}:${lineNo}: ${why} (${done})`);
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await db.write(batch, { sync: false });
    result.records += batch.length;
    result.batches++;
    batch = new WriteBatch();
    bar.update(stream.bytesRead);
  };
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let key: string;
      let value: string;
      if (format === 'csv') {
        const f = parseCsvLine(line);
        if (f === undefined) fail('malformed CSV line');
        if (f!.length !== 2) fail(`expected 2 fields (key,value), found ${f!.length}`);
        [key, value] = f as [string, string];
        if (lineNo === 1 && key.toLowerCase() === 'key' && value.toLowerCase() === 'value') continue;
      } else {
        let o: unknown;
        try {
          o = JSON.parse(line);
        } catch {
          fail('not valid JSON');
        }
        const rec = o as { key?: unknown; value?: unknown } | null;
        if (typeof rec !== 'object' || rec === null || Array.isArray(rec))
          fail('expected an object {"key": ..., "value": ...}');
        if (typeof rec!.key !== 'string') fail('"key" must be a string');
        if (typeof rec!.value !== 'string') fail('"value" must be a string');
        key = rec!.key as string;
        value = rec!.value as string;
      }
      const k = decodeText(key, enc, 'key');
      const v = decodeText(value, enc, 'value');
      try {
        batch.put(k, v);
      } catch (err) {
        if (err instanceof GraniteError) fail(err.message);
        throw err;
      }
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (err) {
    bar.abort();
    if (err instanceof UserError && !err.message.startsWith(`${file}:`)) fail(err.message);
    throw err;
  } finally {
    lines.close();
    stream.destroy();
  }
  bar.finish();
  return result;
}
