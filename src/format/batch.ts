// The write-batch encoding, which is also the WAL record payload (docs/format.md, "Write batch").
// DO NOT CHANGE: on disk.
//   batch  := seq:fixed64 count:fixed32 record*
//   record := kind:u8 keyLen:varint key [valueLen:varint value]   (value part only for Kind.Value)
// `seq` is the sequence number of the first record; record i gets seq + i.
export const BATCH_HEADER_SIZE = 12;
export const BATCH_SEQ_OFFSET = 0;
export const BATCH_COUNT_OFFSET = 8;
