// What a point lookup in one source (memtable, table, version) found for a key at a sequence number.
export const LookupResult = {
  NotFound: 0,
  Found: 1,
  /** The newest visible version is a deletion: stop looking in older sources. */
  Deleted: 2,
} as const;
export type LookupResult = (typeof LookupResult)[keyof typeof LookupResult];
