// Internal keys (src/format/keys.ts): user key ++ fixed64(seq * 256 + kind). The trailer of any 8 bytes
// splits into a kind in [0, 255] and an integer seq, and packs back to itself whenever it is below 2^53
// (the engine's exact range); the reference reads the trailer with BigInt.
import { packTrailer, trailerKind, trailerSeq, type Kind } from '../../../../src/format/keys.js';
import { getFixed64 } from '../../../../src/util/coding.js';
import { randomBytes } from '../mutate.js';
import { refFixed64 } from '../reference.js';
import { hex, oracle, target } from '../target.js';

interface KeyInput {
  key: Buffer;
}

export const internalKeyTarget = target<KeyInput>({
  name: 'internal-key',
  make(rng) {
    const key = randomBytes(rng, 40);
    if (rng.int(2) === 0 && key.length >= 8) {
      // a plausible trailer: seq below 2^45, kind 0 or 1 (or any byte)
      const seq = Math.floor(rng.next() * 2 ** rng.int(46));
      const kind = rng.int(4) === 0 ? rng.int(256) : rng.int(2);
      const t = seq * 256 + kind;
      key.writeUInt32LE(t % 2 ** 32, key.length - 8);
      key.writeUInt32LE(Math.floor(t / 2 ** 32), key.length - 4);
    }
    return { key };
  },
  exec({ key }) {
    if (key.length < 8) return 'rejected';
    const t = getFixed64(key, key.length - 8);
    oracle(t === refFixed64(key, key.length - 8), () => `trailer ${t}`);
    const seq = trailerSeq(t);
    const kind = trailerKind(t);
    oracle(
      Number.isInteger(seq) && seq >= 0 && Number.isInteger(kind) && kind >= 0 && kind < 256,
      () => `seq ${seq} kind ${kind}`,
    );
    if (t < 2 ** 53)
      oracle(packTrailer(seq, kind as Kind) === t, () => `packTrailer(${seq}, ${kind}) !== ${t}`);
    return 'accepted';
  },
  show: ({ key }) => hex(key),
});
