// SSTable layout (docs/format.md, "Table files"). DO NOT CHANGE: on disk.
//   table   := dataBlock* filterBlock propertiesBlock metaindexBlock indexBlock footer
//   block   := contents trailer
//   trailer := codec:u8 crc:fixed32       crc = masked CRC32 of (stored ++ codec)
//   stored  := contents (codec 0) | compress(codec, contents)   (size in a handle = stored size)
//   contents (data, index, metaindex, properties) := entry* restart:fixed32* numRestarts:fixed32
//   entry   := shared:varint unshared:varint valueLen:varint keyDelta[unshared] value[valueLen]
//   filter block contents := bloomBits[n] numProbes:u8
//   footer  := metaindexHandle indexHandle formatVersion:fixed32 footerCrc:fixed32 magic[8]   (40 bytes)
//   handle  := offset:fixed64 size:fixed32  (size excludes the 5-byte trailer)
export const BLOCK_TRAILER_SIZE = 5;
export const HANDLE_SIZE = 12;
export const FOOTER_SIZE = 40;
export const TABLE_FORMAT_VERSION = 1;
/** "granSST" then 0x01. */
export const TABLE_MAGIC = Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x53, 0x53, 0x54, 0x01]);

/** Codec of a block's stored bytes (trailer byte). 1 = Snappy raw format, 2 = LZ4 block with fixed32 size. */
export const Codec = {
  None: 0,
  Snappy: 1,
  Lz4: 2,
} as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

/** Metaindex keys naming the meta blocks. */
export const META_FILTER = 'granite.bloom';
export const META_PROPERTIES = 'granite.properties';

/** A block must not be larger than this (guards allocation on a damaged handle). */
export const MAX_BLOCK_SIZE = 1 << 30;
