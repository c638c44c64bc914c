// Messages between the main thread and a compaction worker: plain data, versioned. Errors travel as JSON and
// are rebuilt as the same GraniteError classes on the main thread.
import { CorruptionError, ErrorCode, GraniteError, IOError } from '../../errors/errors.js';
import type { CompactionJob, CompactionResult } from '../task.js';
import type { FlushSpec } from '../flush-run.js';
import type { FlushedTable } from '../flush-table.js';
import type { SharedBatches } from '../../memtable/shared-batches.js';
import type { MessagePort } from 'node:worker_threads';

export const PROTOCOL_VERSION = 4;

/** What a worker is started with: the port its results go to, and the niceness to add to its thread. */
export interface WorkerData {
  results: MessagePort;
  nice: number;
}

/** A compaction is one 'run'; a flush is one 'flush' carrying the memtable's batches in shared memory. */
export type ToWorker =
  | { v: typeof PROTOCOL_VERSION; type: 'run'; id: number; job: CompactionJob }
  | { v: typeof PROTOCOL_VERSION; type: 'flush'; id: number; spec: FlushSpec; batches: SharedBatches };
export type FromWorker =
  | { v: typeof PROTOCOL_VERSION; type: 'done'; id: number; result: CompactionResult }
  | { v: typeof PROTOCOL_VERSION; type: 'flushed'; id: number; flushed: FlushedTable }
  | { v: typeof PROTOCOL_VERSION; type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  file?: string;
  offset?: number;
  errno?: string;
}

export function serializeError(err: unknown): SerializedError {
  const e = err as Partial<CorruptionError & IOError & { code: string }>;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    code: typeof e?.code === 'string' ? e.code : undefined,
    file: typeof e?.file === 'string' ? e.file : undefined,
    offset: typeof e?.offset === 'number' ? e.offset : undefined,
    errno: typeof e?.errno === 'string' ? e.errno : undefined,
  };
}

export function rebuildError(s: SerializedError): Error {
  if (s.code === 'CORRUPTION' && s.file !== undefined) {
    const prefix = `${s.file}${(s.offset ?? -1) >= 0 ? ` @${s.offset}` : ''}: `;
    return new CorruptionError(
      s.file,
      s.offset ?? -1,
      s.message.startsWith(prefix) ? s.message.slice(prefix.length) : s.message,
    );
  }
  if (s.code === 'IO') return new IOError(s.message, { errno: s.errno });
  if (s.code !== undefined && (Object.values(ErrorCode) as string[]).includes(s.code))
    return new GraniteError(s.code as ErrorCode, s.message);
  // A system error thrown by node:fs inside the worker (code = errno, e.g. ENOENT).
  if (s.code !== undefined && /^E[A-Z0-9]+$/.test(s.code)) return new IOError(s.message, { errno: s.code });
  // Anything else (a RangeError with code ERR_*, a plain Error) is a bug, rebuilt untyped with its name.
  const e = new Error(s.message);
  e.name = s.name;
  return e;
}
