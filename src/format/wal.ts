// Log framing shared by the WAL and the MANIFEST (docs/format.md, "Log files"), after LevelDB's
// doc/log_format.md. DO NOT CHANGE: on disk.
//   file   := block*            every block is LOG_BLOCK_SIZE bytes except possibly the last
//   block  := fragment* trailer  trailer: < HEADER_SIZE zero bytes when no header fits
//   fragment := crc:fixed32 length:fixed16 type:u8 payload[length]
//   crc = masked CRC32 of (type byte ++ payload)
export const LOG_BLOCK_SIZE = 32768;
export const LOG_HEADER_SIZE = 7;

export const FragmentType = {
  Zero: 0, // preallocated or padding bytes: never written as a real fragment
  Full: 1,
  First: 2,
  Middle: 3,
  Last: 4,
} as const;
export type FragmentType = (typeof FragmentType)[keyof typeof FragmentType];
export const MAX_FRAGMENT_TYPE = FragmentType.Last;
