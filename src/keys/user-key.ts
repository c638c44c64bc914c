// Validation and conversion of user keys and values (API.md: KeyLike = string | Uint8Array; strings are
// UTF-8). Inside the engine a user key is a binary string (one char per byte) for comparisons and lookups.
import { InvalidArgumentError } from '../errors/errors.js';
import { binaryString } from '../util/bytes.js';

/** Largest accepted key, in bytes (API.md asks for at least 64 KiB). */
export const MAX_KEY_BYTES = 1024 * 1024;
/** Largest accepted value, in bytes (API.md asks for at least 64 MiB). */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;

export type KeyLike = string | Uint8Array;

/** Byte length of a key; throws INVALID_ARGUMENT for a wrong type, an empty or an oversized key. */
export function keyByteLength(key: unknown, what = 'key'): number {
  let n: number;
  if (typeof key === 'string') n = key.length === 0 ? 0 : Buffer.byteLength(key, 'utf8');
  else if (key instanceof Uint8Array) n = key.byteLength;
  else throw new InvalidArgumentError(`${what} must be a string or Uint8Array, got ${describe(key)}`);
  if (n === 0) throw new InvalidArgumentError(`${what} must not be empty`);
  if (n > MAX_KEY_BYTES)
    throw new InvalidArgumentError(`${what} is ${n} bytes; the limit is ${MAX_KEY_BYTES}`);
  return n;
}

/** Byte length of a value; throws INVALID_ARGUMENT for a wrong type or an oversized value. */
export function valueByteLength(value: unknown): number {
  let n: number;
  if (typeof value === 'string') n = Buffer.byteLength(value, 'utf8');
  else if (value instanceof Uint8Array) n = value.byteLength;
  else throw new InvalidArgumentError(`value must be a string or Uint8Array, got ${describe(value)}`);
  if (n > MAX_VALUE_BYTES)
    throw new InvalidArgumentError(`value is ${n} bytes; the limit is ${MAX_VALUE_BYTES}`);
  return n;
}

// eslint-disable-next-line no-control-regex -- the class is 'every non-ASCII char'
const NON_ASCII = /[^\x00-\x7f]/;

/** The binary-string form of a user key (validated). */
export function toBinaryKey(key: unknown, what = 'key'): string {
  if (typeof key === 'string') {
    if (key.length > 0 && key.length <= MAX_KEY_BYTES && !NON_ASCII.test(key)) return key;
    keyByteLength(key, what);
    return Buffer.from(key, 'utf8').toString('latin1');
  }
  const n = keyByteLength(key, what);
  const u = key as Uint8Array;
  const b = Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, n);
  return binaryString(b, 0, n);
}

/** The binary-string form of a range bound, which may be any length including empty. */
export function toBinaryBound(bound: unknown, what: string): string {
  if (typeof bound === 'string')
    return NON_ASCII.test(bound) ? Buffer.from(bound, 'utf8').toString('latin1') : bound;
  if (bound instanceof Uint8Array) {
    const b = Buffer.isBuffer(bound) ? bound : Buffer.from(bound.buffer, bound.byteOffset, bound.byteLength);
    return binaryString(b, 0, b.length);
  }
  throw new InvalidArgumentError(`${what} must be a string or Uint8Array, got ${describe(bound)}`);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}
