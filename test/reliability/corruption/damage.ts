// The damage a case does to its fixture's target file, and the case lists of a sweep.
//   flip:B   XOR bit B of the file (byte B >> 3, mask 1 << (B & 7))
//   cut:N    truncate the file to N bytes (0 <= N < size)
//   remove   delete the file
// A case id ("flip:1234") plus the fixture name and the WAL recovery mode replays one case exactly.
import type { MemoryFileSystem } from '../../../src/fs/index.js';
import { Rng } from '../../../src/testing/index.js';
import { damagedCopy, type Fixture } from './fixtures.js';

export type Damage = { kind: 'flip'; bit: number } | { kind: 'cut'; length: number } | { kind: 'remove' };

export function caseId(d: Damage): string {
  return d.kind === 'flip' ? `flip:${d.bit}` : d.kind === 'cut' ? `cut:${d.length}` : 'remove';
}

export function parseCaseId(s: string): Damage {
  if (s === 'remove') return { kind: 'remove' };
  const m = /^(flip|cut):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad case id '${s}' (flip:BIT, cut:LENGTH or remove)`);
  return m[1] === 'flip' ? { kind: 'flip', bit: Number(m[2]) } : { kind: 'cut', length: Number(m[2]) };
}

export function applyDamage(f: Fixture, d: Damage): MemoryFileSystem {
  return damagedCopy(f, (b) => {
    if (d.kind === 'remove') return null;
    if (d.kind === 'cut') return b.subarray(0, d.length);
    b[d.bit >> 3]! ^= 1 << (d.bit & 7);
    return b;
  });
}

/** Every case: each bit flipped, each truncation length, removal. */
export function allCases(f: Fixture): Damage[] {
  const out: Damage[] = [];
  for (let bit = 0; bit < f.bytes.length * 8; bit++) out.push({ kind: 'flip', bit });
  for (let length = 0; length < f.bytes.length; length++) out.push({ kind: 'cut', length });
  out.push({ kind: 'remove' });
  return out;
}

/**
 * All cases when the file has at most `maxBytes` bytes; otherwise every bit and cut within 16 bytes of a
 * region boundary (fragment headers, block starts and ends) plus a seeded sample of `sample` other flips
 * and cuts. Deterministic for (fixture, seed).
 */
export function sampledCases(f: Fixture, seed: number, maxBytes: number, sample: number): Damage[] {
  if (f.bytes.length <= maxBytes) return allCases(f);
  const size = f.bytes.length;
  const near = new Set<number>();
  for (const r of f.regions) {
    for (const edge of [r.start, r.end]) {
      for (let i = edge - 16; i < edge + 16; i++) if (i >= 0 && i < size) near.add(i);
    }
  }
  const flips = new Set<number>();
  const cuts = new Set<number>();
  for (const byte of near) {
    cuts.add(byte);
    for (let b = 0; b < 8; b++) flips.add(byte * 8 + b);
  }
  const rng = new Rng(seed);
  for (let i = 0; i < sample; i++) {
    flips.add(rng.int(size * 8));
    cuts.add(rng.int(size));
  }
  return [
    ...[...flips].sort((a, b) => a - b).map((bit): Damage => ({ kind: 'flip', bit })),
    ...[...cuts].sort((a, b) => a - b).map((length): Damage => ({ kind: 'cut', length })),
    { kind: 'remove' },
  ];
}
