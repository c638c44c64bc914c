// File names in a database directory (docs/format.md, "Directory"). DO NOT CHANGE: on disk.
export const CURRENT = 'CURRENT';
export const LOCK = 'LOCK';
export const INFO_LOG = 'LOG';

export type FileKind = 'wal' | 'table' | 'manifest' | 'current' | 'lock' | 'temp' | 'info-log';

function pad(n: number): string {
  return String(n).padStart(6, '0');
}
export function walFileName(n: number): string {
  return `${pad(n)}.log`;
}
export function tableFileName(n: number): string {
  return `${pad(n)}.sst`;
}
export function manifestFileName(n: number): string {
  return `MANIFEST-${pad(n)}`;
}
export function tempFileName(n: number): string {
  return `${pad(n)}.dbtmp`;
}

/** Parses a directory entry name; undefined for names that are not the engine's. */
export function parseFileName(name: string): { kind: FileKind; num: number } | undefined {
  if (name === CURRENT) return { kind: 'current', num: 0 };
  if (name === LOCK) return { kind: 'lock', num: 0 };
  if (name === INFO_LOG || name === `${INFO_LOG}.old`) return { kind: 'info-log', num: 0 };
  let m = /^MANIFEST-(\d+)$/.exec(name);
  if (m) return { kind: 'manifest', num: Number(m[1]) };
  m = /^(\d+)\.(log|sst|dbtmp)$/.exec(name);
  if (!m) return undefined;
  const kind = m[2] === 'log' ? 'wal' : m[2] === 'sst' ? 'table' : 'temp';
  return { kind, num: Number(m[1]) };
}
