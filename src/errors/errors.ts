// Every error the engine throws derives from GraniteError and carries a stable string `code`.
// Codes never change (applications switch on them); messages may. See ../../docs/adr/0003-errors.md.

export const ErrorCode = {
  CORRUPTION: 'CORRUPTION',
  LOCKED: 'LOCKED',
  CLOSED: 'CLOSED',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  IO: 'IO',
  CONFLICT: 'CONFLICT',
  READ_ONLY: 'READ_ONLY',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class GraniteError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'GraniteError';
  }
}

/** Damaged bytes on disk. `file` is a name inside the database directory; `offset` the byte offset of the
 *  damaged record or block, or -1 when no position applies (e.g. a missing file). */
export class CorruptionError extends GraniteError {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CORRUPTION, `${file}${offset >= 0 ? ` @${offset}` : ''}: ${message}`, options);
    this.name = 'CorruptionError';
    this.file = file;
    this.offset = offset;
  }
}

export class LockedError extends GraniteError {
  constructor(message: string) {
    super(ErrorCode.LOCKED, message);
    this.name = 'LockedError';
  }
}

export class DatabaseClosedError extends GraniteError {
  constructor(message = 'database is closed') {
    super(ErrorCode.CLOSED, message);
    this.name = 'DatabaseClosedError';
  }
}

export class InvalidArgumentError extends GraniteError {
  constructor(message: string) {
    super(ErrorCode.INVALID_ARGUMENT, message);
    this.name = 'InvalidArgumentError';
  }
}

export class ConflictError extends GraniteError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
    this.name = 'ConflictError';
  }
}

export class ReadOnlyError extends GraniteError {
  constructor(message = 'database is open read-only') {
    super(ErrorCode.READ_ONLY, message);
    this.name = 'ReadOnlyError';
  }
}

export class NotFoundError extends GraniteError {
  constructor(message: string) {
    super(ErrorCode.NOT_FOUND, message);
    this.name = 'NotFoundError';
  }
}

export class AlreadyExistsError extends GraniteError {
  constructor(message: string) {
    super(ErrorCode.ALREADY_EXISTS, message);
    this.name = 'AlreadyExistsError';
  }
}

/** A failed system call. `errno` keeps the system's code (EIO, ENOSPC, ...). */
export class IOError extends GraniteError {
  readonly errno: string | undefined;
  constructor(message: string, options?: { cause?: unknown; errno?: string }) {
    super(ErrorCode.IO, message, options);
    this.name = 'IOError';
    this.errno = options?.errno;
  }
}

/** Wraps anything thrown by a file-system call into an IOError (GraniteErrors pass through). */
export function toIOError(err: unknown, what: string): GraniteError {
  if (err instanceof GraniteError) return err;
  const errno = (err as { code?: unknown } | null)?.code;
  const code = typeof errno === 'string' ? errno : undefined;
  return new IOError(`${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err, errno: code });
}

/** For impossible states: a failed assert is a bug in granitedb, never a user error. */
export function assert(cond: unknown, message = 'assertion failed'): asserts cond {
  if (!cond) throw new Error(`granitedb internal error: ${message}`);
}
