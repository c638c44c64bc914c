// Block decompression (src/sstable/compression.ts): stored bytes of snappy and lz4 data blocks from the corpus
// tables, mutated (the CRC in front of the decompressor would stop most of these; here they reach it), and
// random bytes under a random codec byte. decompressBlock either returns or throws CorruptionError; what it
// returns is at most 255 times the stored size plus 64 bytes (the expansion bound the module promises,
// checked here because the native decoders allocate outside the meter); an intact block decompresses to
// what compressBlock was given.
import { compressBlock, decompressBlock } from '../../../../src/sstable/compression.js';
import { measure } from '../alloc-meter.js';
import { mutate, randomBytes } from '../mutate.js';
import { attempt, hex, oracle, target } from '../target.js';

interface Input {
  codec: number;
  stored: Buffer;
  /** For intact inputs: the uncompressed contents. */
  contents: Buffer | undefined;
}

export const decompressTarget = target<Input>({
  name: 'decompress',
  make(rng, c) {
    const r = rng.int(10);
    if (r === 0) return { codec: rng.int(4), stored: randomBytes(rng, 1024), contents: undefined };
    if (r === 1 || c.compressed.length === 0) {
      const contents = Buffer.alloc(rng.int(4096), rng.bytes(1 + rng.int(8)));
      const codec = 1 + rng.int(2);
      const stored = compressBlock(codec as 1 | 2, contents);
      if (stored !== undefined) return { codec, stored, contents };
      return { codec, stored: randomBytes(rng, 64), contents: undefined };
    }
    const pick = rng.pick(c.compressed);
    const codec = rng.int(20) === 0 ? 3 - pick.codec : pick.codec;
    return {
      codec,
      stored: mutate(
        rng,
        pick.stored,
        c.compressed.map((x) => x.stored),
      ),
      contents: undefined,
    };
  },
  exec({ codec, stored, contents }) {
    let out: Buffer | undefined;
    const ok = attempt(
      () => (out = measure(stored.length, () => decompressBlock(codec, stored, '000007.sst', 0))),
      0,
    );
    if (contents !== undefined) {
      oracle(ok && out!.equals(contents), () => 'an intact block did not decompress to its contents');
    }
    if (!ok) return 'rejected';
    oracle(
      out!.length <= stored.length * 255 + 64,
      () => `${stored.length} stored bytes decompressed to ${out!.length}`,
    );
    return 'accepted';
  },
  show: ({ codec, stored }) => `codec ${codec}: ${hex(stored, 1024)}`,
});
