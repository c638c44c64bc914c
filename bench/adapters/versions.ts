// Installed versions of the engines under test, read from their package.json files, so the report
// and results name exactly what was measured.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { EngineName } from './engine.js';

/** Repository root, from dist/bench/adapters/ (compiled) back up three levels. */
export const ROOT = new URL('../../../', import.meta.url);

function packageVersion(pkgJson: URL): string {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function engineVersion(name: EngineName): string {
  if (name === 'granitedb') return `${packageVersion(new URL('package.json', ROOT))} (git ${gitCommit()})`;
  return packageVersion(new URL(`node_modules/${name}/package.json`, ROOT));
}
