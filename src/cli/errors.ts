// How the CLI reports failure: one line on stderr, a non-zero exit, never a stack trace for a user mistake.
// UserError is a mistake the user can fix (bad flag, missing database, unreadable file); engine errors are
// turned into a sentence by describeError(). Anything else is a bug: one line too, plus the stack when
// GRANITE_DEBUG is set.
import { CorruptionError, GraniteError } from '../index.js';

/** A mistake the user can fix; the message is printed as-is after "granite: ". */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** "corruption in FILE at offset N: why" (offset omitted when the damage has no position). */
export function describeCorruption(err: CorruptionError): string {
  const where = err.offset >= 0 ? ` at offset ${err.offset}` : '';
  const prefix = err.offset >= 0 ? `${err.file} @${err.offset}: ` : `${err.file}: `;
  const why = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return `corruption in ${err.file}${where}: ${why}`;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** A one-line description of `err` for the user. */
export function describeError(err: unknown): string {
  if (err instanceof UserError) return err.message;
  if (err instanceof CorruptionError) return describeCorruption(err);
  if (err instanceof GraniteError) {
    switch (err.code) {
      case 'LOCKED':
        return 'database is in use by another process';
      case 'IO': {
        const errno = (err as GraniteError & { errno?: string }).errno;
        return errno !== undefined && SYSTEM_ERRORS[errno] !== undefined
          ? `${err.message.split(':')[0]}: ${SYSTEM_ERRORS[errno]}`
          : err.message;
      }
      default:
        return err.message;
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SYSTEM_ERRORS[code] !== undefined) {
    const path = (err as { path?: string }).path;
    return path !== undefined ? `${path}: ${SYSTEM_ERRORS[code]}` : SYSTEM_ERRORS[code];
  }
  return `internal error: ${(err as Error)?.message ?? String(err)} (set GRANITE_DEBUG=1 for a stack trace)`;
}

/** The exit status for `err`. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UserError ? err.exitCode : 1;
}
