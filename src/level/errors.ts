// Engine errors as abstract-level errors: the codes abstract-level documents (LEVEL_CORRUPTION, LEVEL_LOCKED,
// LEVEL_IO_ERROR, LEVEL_ABORTED) on an Error whose `cause` is the engine's GraniteError (which keeps its own
// `code`, and `file`/`offset` for corruption). Other engine errors pass through unchanged.
import { GraniteError } from '../index.js';

const LEVEL_CODES: Record<string, string> = {
  CORRUPTION: 'LEVEL_CORRUPTION',
  LOCKED: 'LEVEL_LOCKED',
  IO: 'LEVEL_IO_ERROR',
};

/** An Error carrying an abstract-level code. */
export class LevelError extends Error {
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.name = 'LevelError';
  }
}

/** The error an iterator call rejects with once its signal aborted (name 'AbortError', as on the web). */
export class LevelAbortError extends LevelError {
  constructor(cause?: unknown) {
    super('Operation has been aborted', 'LEVEL_ABORTED', cause);
    this.name = 'AbortError';
  }
}

/** Maps an engine error to its abstract-level form; anything else is returned as-is. */
export function toLevelError(err: unknown): unknown {
  if (err instanceof GraniteError) {
    const code = LEVEL_CODES[err.code];
    if (code !== undefined) return new LevelError(err.message, code, err);
  }
  return err;
}
