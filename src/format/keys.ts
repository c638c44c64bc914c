// Internal keys (docs/format.md, "Internal keys"). DO NOT CHANGE: on disk.
//   internal key := user key bytes ++ trailer
//   trailer      := fixed64 LE of (seq * 256 + kind)       8 bytes
// Order: user key ascending bytewise, then trailer descending (newest first).

export const Kind = {
  Delete: 0,
  Value: 1,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The highest kind: seeking to (key, seq, KIND_FOR_SEEK) lands on the newest entry with seq' <= seq. */
export const KIND_FOR_SEEK = Kind.Value;
export const TRAILER_SIZE = 8;
/** Sequence numbers are below 2^56 on disk; this implementation keeps seq * 256 + kind exact in a double,
 *  so it stops at 2^45 - 1 (35 trillion writes) and rejects writes beyond. */
export const MAX_SEQ = 2 ** 45 - 1;

export function packTrailer(seq: number, kind: Kind): number {
  return seq * 256 + kind;
}
export function trailerSeq(trailer: number): number {
  return Math.floor(trailer / 256);
}
export function trailerKind(trailer: number): number {
  return trailer % 256;
}
