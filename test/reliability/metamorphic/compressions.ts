// The `compression` values the options module accepts right now, read at run time: a codec name is used only
// once resolveOptions() validates it, so the reliability runs pick up new codecs without an edit here.
import { resolveOptions, type CompressionName } from '../../../src/options/options.js';

/** Every codec name granitedb has had or announced; the ones that validate are used. */
const CANDIDATE_COMPRESSIONS = ['none', 'snappy', 'lz4', 'zstd'] as const;

/** The candidate compression names resolveOptions() accepts, in candidate order ('none' first). */
export function compressionsThatValidate(): CompressionName[] {
  return CANDIDATE_COMPRESSIONS.filter((c) => {
    try {
      resolveOptions({ compression: c });
      return true;
    } catch {
      return false;
    }
  }) as CompressionName[];
}
