// The one interface every engine adapter implements, and the loader that opens an engine by name.
// Adapters use each engine's fastest idiomatic API with default tuning; they never emulate a missing
// capability (no sync get → `getSync` is absent and the sync workloads are skipped for that engine).
// Inputs (keys, values, the arrays holding them) may be reused by the harness as soon as a call's
// promise settles; results are only counted and sized, never retained.

export const ENGINES = ['granitedb', 'classic-level', 'lmdb', 'rocksdb'] as const;
export type EngineName = (typeof ENGINES)[number];
export const PEERS: readonly EngineName[] = ENGINES.filter((e) => e !== 'granitedb');

export type Bytes = Uint8Array;

export interface ScanTotals {
  entries: number;
  /** Key plus value bytes yielded. */
  bytes: number;
}

export interface Engine {
  readonly name: EngineName;
  /** Version of the package under test, as installed. */
  readonly version: string;
  /** How the adapter maps the workloads onto this engine's API, for the report. */
  readonly notes: readonly string[];

  /** Atomically write `keys[i] → values[i]` for every i, unsynced. */
  writeBatch(keys: readonly Bytes[], values: readonly Bytes[]): Promise<void>;
  /** One put; `sync: true` asks for durability before the promise resolves. */
  put(key: Bytes, value: Bytes, sync: boolean): Promise<void>;
  get(key: Bytes): Promise<Bytes | undefined>;
  /** Present only where the engine has a synchronous point read. */
  getSync?(key: Bytes): Bytes | undefined;
  /** Open an iterator at the first key ≥ `key`, read up to `limit` entries, close it. */
  seek(key: Bytes, limit: number): Promise<number>;
  /** Present only where the engine iterates synchronously. */
  seekSync?(key: Bytes, limit: number): number;
  /** One full forward scan of the database. */
  scan(): Promise<ScanTotals>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * The database will see writes with `sync: true`. Engines that fix durability per environment
   * rather than per write (lmdb) open durable only then, and reject synced writes otherwise.
   */
  syncWrites: boolean;
}

export type EngineOpener = (dir: string, options: OpenOptions) => Promise<Engine>;

/** Opens `name` on a fresh directory `dir`. Each adapter module exports `open`. */
export async function openEngine(name: EngineName, dir: string, options: OpenOptions): Promise<Engine> {
  const mod = (await import(`./${name}.js`)) as { open: EngineOpener };
  return mod.open(dir, options);
}

export function isEngineName(s: string): s is EngineName {
  return (ENGINES as readonly string[]).includes(s);
}
