// What the version set knows about one table file. Keys are binary strings with their trailers.
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
