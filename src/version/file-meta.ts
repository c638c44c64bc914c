// What the version set knows about one table file. Keys are binary strings with their trailers.
import type { TableProperties } from '../sstable/properties.js';
export interface FileMeta {
  readonly fileNum: number;
  readonly size: number;
  readonly smallestKey: string;
  readonly smallestTrailer: number;
  readonly largestKey: string;
  readonly largestTrailer: number;
  readonly smallestSeq: number;
  readonly largestSeq: number;
}

/** The metadata of a finished table, from its builder's properties. */
export function fileMetaOf(fileNum: number, p: TableProperties): FileMeta {
  return {
    fileNum,
    size: p.fileSize,
    smallestKey: p.smallestKey,
    smallestTrailer: p.smallestTrailer,
    largestKey: p.largestKey,
    largestTrailer: p.largestTrailer,
    smallestSeq: p.smallestSeq,
    largestSeq: p.largestSeq,
  };
}
