import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { addToBloom, bloomHash, bloomMayContain, buildBloom, emptyBloom } from './bloom.js';

// Filter bytes are on disk (docs/format.md, "Filter block"): these digests were taken from the filter
// builder before it was split into emptyBloom/addToBloom, and must never change.
test('buildBloom output is byte-for-byte stable', () => {
  const hashes = Uint32Array.from(Array.from({ length: 1000 }, (_, i) => bloomHash(`key${i}`)));
  const digest = (bits: number): string =>
    createHash('sha256')
      .update(buildBloom(hashes, hashes.length, bits))
      .digest('hex');
  assert.equal(digest(10), 'b1572f8aa730c1244e2c363a69005bf08b05ff8adf2d21443abe824ec1457440');
  assert.equal(digest(1), 'df1bfb14629d0e07b88b8f3eac1f08a738a81382410f347fd7cd9c87a931237d');
  assert.equal(digest(23), 'd86c871eeb746bcc30e6b43163f583313dd9319472ee18271e9e84a7d0a1dd4e');
});

test('a filter filled key by key equals the one built at once, and contains every key', () => {
  const hashes = Uint32Array.from(Array.from({ length: 777 }, (_, i) => bloomHash(`k\u0000${i}\u00ff`)));
  const f = emptyBloom(hashes.length, 10);
  for (const h of hashes) addToBloom(f, h);
  assert.deepEqual(f, buildBloom(hashes, hashes.length, 10));
  for (const h of hashes) assert.equal(bloomMayContain(f, 0, f.length, h), true);
});
