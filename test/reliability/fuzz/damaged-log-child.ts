// Child process of regressions.test.ts: reads 512 KiB of back-to-back damaged WAL fragments (header-only, type
// 7, checksum 1) in every walRecoveryMode and prints what each read ended in, as JSON. The parent bounds it by
// a timeout. Each header's checksum byte 0x01 reads as a Full type 6 bytes earlier, with a length of 1792 that
// fits the block: the costliest candidate for the search for an intact record after damage.
import { CorruptionError, type WalRecoveryMode } from '../../../src/index.js';
import { readLogFile } from '../../../src/wal/log-reader.js';

const BLOCK = 32768;
const b = Buffer.alloc(512 * 1024);
for (let p = 0; p + 7 <= b.length; p += 7) {
  if (BLOCK - (p % BLOCK) < 7) p += BLOCK - (p % BLOCK);
  b.writeUInt32LE(1, p);
  b[p + 6] = 7;
}
const out: Record<string, unknown> = {};
for (const mode of [
  'skip-any-corrupted',
  'point-in-time',
  'tolerate-corrupted-tail',
  'absolute-consistency',
] as WalRecoveryMode[]) {
  let records = 0;
  try {
    const o = readLogFile(b, '000002.log', mode, true, () => records++);
    out[mode] = { records, damageOffset: o.damageOffset, truncated: o.truncated };
  } catch (err) {
    out[mode] = err instanceof CorruptionError ? { corruption: err.offset } : { error: String(err) };
  }
}
console.log(JSON.stringify(out));
