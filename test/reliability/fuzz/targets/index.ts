// Every fuzz target, in the order the driver runs and reports them.
import type { FuzzTarget } from '../target.js';
import { blockDecodeTarget, blockSeekTarget } from './block.js';
import { varintTarget } from './coding.js';
import { decompressTarget } from './compression.js';
import { internalKeyTarget } from './keys.js';
import { walTarget, writeBatchTarget } from './log.js';
import { manifestReplayTarget, versionEditTarget } from './manifest.js';
import { bloomTarget, propertiesTarget } from './meta.js';
import { tableTargets } from './table.js';

export const TARGETS: readonly FuzzTarget[] = [
  varintTarget,
  internalKeyTarget,
  blockDecodeTarget,
  blockSeekTarget,
  bloomTarget,
  propertiesTarget,
  decompressTarget,
  ...tableTargets,
  versionEditTarget,
  manifestReplayTarget,
  walTarget,
  writeBatchTarget,
];
