// granitedb/level: the abstract-level adapter (API.md, "Adapter").
export { GraniteLevel, GraniteLevelSnapshot } from './granite-level.js';
export type { GraniteLevelOptions } from './granite-level.js';
export { LevelError, LevelAbortError } from './errors.js';
