// MANIFEST record payloads: one encoded VersionEdit per log record (docs/format.md, "MANIFEST").
// DO NOT CHANGE: on disk. An edit is a sequence of (tag:varint, fields):
//   1 logNumber:varint        WALs numbered below this are obsolete
//   2 nextFileNumber:varint
//   3 lastSequence:varint
//   4 newFile level:varint fileNum:varint size:varint smallestLen:varint smallest largestLen:varint largest
//       smallestSeq:varint largestSeq:varint      (smallest/largest are internal keys)
//   5 deletedFile level:varint fileNum:varint
//   6 newWal fileNum:varint    a WAL that was created and must exist until logNumber passes it
//   7 formatVersion:varint     first edit of every MANIFEST
export const EditTag = {
  LogNumber: 1,
  NextFileNumber: 2,
  LastSequence: 3,
  NewFile: 4,
  DeletedFile: 5,
  NewWal: 6,
  FormatVersion: 7,
} as const;
export const MANIFEST_FORMAT_VERSION = 1;
export const NUM_LEVELS = 7;
