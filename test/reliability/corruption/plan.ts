// Which sweeps run: WAL fixtures under two recovery modes, the others under the default; and the CI sample.
import type { WalRecoveryMode } from '../../../src/index.js';
import type { Fixture } from './fixtures.js';

const WAL_MODES: readonly WalRecoveryMode[] = ['tolerate-corrupted-tail', 'absolute-consistency'];

export function modesFor(f: Fixture, only?: WalRecoveryMode): WalRecoveryMode[] {
  const modes = f.structure === 'wal' ? WAL_MODES : (['tolerate-corrupted-tail'] as const);
  return only === undefined ? [...modes] : modes.filter((m) => m === only);
}

/** CI: every case of files up to 1 KiB; larger ones sampled (region edges plus 1500 random flips and cuts). */
export const CI_SAMPLE = { maxBytes: 1024, sample: 1500 } as const;

/** `granite check` runs on every damaged image of files up to this size (it works on disk: slower). */
export const CHECK_MAX_BYTES = 4096;
