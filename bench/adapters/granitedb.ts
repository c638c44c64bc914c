// granitedb adapter: the engine binding shared with `granite bench` (src/bench/granite-engine.ts),
// with the version string of this checkout.
import { openGranite } from '../../src/bench/granite-engine.js';
import type { Engine, OpenOptions } from './engine.js';
import { engineVersion } from './versions.js';

export async function open(dir: string, options: OpenOptions): Promise<Engine> {
  return (await openGranite(dir, options, engineVersion('granitedb'))) as Engine;
}
