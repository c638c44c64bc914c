// Key mapping between abstract-level and the engine. abstract-level allows the empty key; the engine's
// smallest key is one byte. The "zero escape" maps a level key k to an engine key:
//   k is empty or starts with 0x00  ->  0x00 ++ k
//   otherwise                       ->  k (unchanged)
// Invariants: the map is injective and strictly order-preserving (bytewise), so range bounds and seek targets
// map with the same function; keys that do not start with 0x00 are stored as-is, so a database written
// through the adapter stays readable key-for-key by GraniteDB and the granite CLI. Rejected alternative: a
// constant one-byte prefix on every key (simpler, but every key would look foreign outside the adapter).

/** An encoded key or value as abstract-level's private API hands it over ('utf8' | 'buffer' | 'view'). */
export type Encoded = string | Uint8Array;

const ZERO = Buffer.of(0);

/** The engine key of a level key. */
export function toEngineKey(k: Encoded): Encoded {
  if (typeof k === 'string') return k.length === 0 || k.charCodeAt(0) === 0 ? '\u0000' + k : k;
  if (k.byteLength === 0 || k[0] === 0) return Buffer.concat([ZERO, k]);
  return k;
}

/** The level key of an engine key (the inverse of toEngineKey); shares memory with `b`. */
export function fromEngineKey(b: Buffer): Buffer {
  return b.length > 0 && b[0] === 0 ? b.subarray(1) : b;
}

/** Engine bytes in the format abstract-level asked for. */
export function toFormat(b: Buffer, format: string): Encoded {
  return format === 'utf8' ? b.toString('utf8') : b;
}
