// MANIFEST decoding: decodeVersionEdit (src/version/version-edit.ts) and the whole replay of a MANIFEST by
// VersionSet.recover (src/version/version-set.ts).
//   version-edit: an intact encoded edit decodes to the edit; any edit that decodes re-encodes to bytes that
//     decode to the same edit; levels are below 7 and every number is a safe non-negative integer.
//   manifest-replay: CURRENT plus a MANIFEST (the engine's own or framed random edits), mutated; usually the
//     fragment CRCs are repaired afterwards so the edits behind them are exercised. recover() either
//     succeeds or throws CorruptionError.
import { deepStrictEqual } from 'node:assert/strict';
import { MemoryFileSystem } from '../../../../src/fs/index.js';
import {
  decodeVersionEdit,
  encodeVersionEdit,
  type VersionEdit,
} from '../../../../src/version/version-edit.js';
import { VersionSet } from '../../../../src/version/version-set.js';
import { writeMemFile } from '../../../../src/testing/index.js';
import { measure } from '../alloc-meter.js';
import { mutate, randomBytes } from '../mutate.js';
import { attempt, hex, oracle, target } from '../target.js';
import { repairLogCrcs } from './log.js';

interface EditInput {
  bytes: Buffer;
  edit: VersionEdit | undefined;
}

function numbersOf(e: VersionEdit): number[] {
  const out: number[] = [];
  for (const k of ['formatVersion', 'logNumber', 'nextFileNumber', 'lastSequence'] as const)
    if (e[k] !== undefined) out.push(e[k]);
  out.push(...(e.newWals ?? []));
  for (const d of e.deletedFiles ?? []) out.push(d.level, d.fileNum);
  for (const { level, meta } of e.newFiles ?? [])
    out.push(
      level,
      meta.fileNum,
      meta.size,
      meta.smallestTrailer,
      meta.largestTrailer,
      meta.smallestSeq,
      meta.largestSeq,
    );
  return out;
}

export const versionEditTarget = target<EditInput>({
  name: 'version-edit',
  make(rng, c) {
    const pick = rng.pick(c.edits);
    const r = rng.int(10);
    if (r === 0) return { bytes: randomBytes(rng, 256), edit: undefined };
    if (r === 1) return { bytes: Buffer.from(pick.bytes), edit: pick.edit };
    return {
      bytes: mutate(
        rng,
        pick.bytes,
        c.edits.map((e) => e.bytes),
      ),
      edit: undefined,
    };
  },
  exec({ bytes, edit }) {
    let e: VersionEdit | undefined;
    if (
      !attempt(() => (e = measure(bytes.length, () => decodeVersionEdit(bytes, 'MANIFEST-000001', 0))), 0)
    ) {
      oracle(edit === undefined, () => 'an intact edit was rejected');
      return 'rejected';
    }
    const got = e!;
    if (edit !== undefined) oracle(sameEdit(got, edit), () => 'an intact edit decoded to something else');
    for (const l of [...(got.deletedFiles ?? []), ...(got.newFiles ?? [])].map((x) => x.level))
      oracle(l >= 0 && l < 7, () => `level ${l}`);
    for (const n of numbersOf(got)) oracle(Number.isSafeInteger(n) && n >= 0, () => `number ${n}`);
    let again: VersionEdit | undefined;
    const reread = attempt(
      () => (again = decodeVersionEdit(Buffer.from(encodeVersionEdit(got)), 'MANIFEST-000001', 0)),
    );
    oracle(reread && sameEdit(again!, got), () => 'decode(encode(edit)) differs from edit');
    return 'accepted';
  },
  show: ({ bytes }) => hex(bytes),
});

function sameEdit(a: VersionEdit, b: VersionEdit): boolean {
  // The encoder writes fields in a fixed order, so compare field by field, not byte by byte.
  try {
    deepStrictEqual(normal(a), normal(b));
    return true;
  } catch {
    return false;
  }
}

function normal(e: VersionEdit): object {
  return {
    formatVersion: e.formatVersion,
    logNumber: e.logNumber,
    nextFileNumber: e.nextFileNumber,
    lastSequence: e.lastSequence,
    newWals: e.newWals ?? [],
    deletedFiles: e.deletedFiles ?? [],
    newFiles: e.newFiles ?? [],
  };
}

interface ManifestInput {
  manifest: Buffer;
  current: string;
}

export const manifestReplayTarget = target<ManifestInput>({
  name: 'manifest-replay',
  make(rng, c) {
    const pick = rng.pick(c.manifests);
    let manifest = pick;
    if (rng.int(10) !== 0) {
      const inPlace = rng.int(3) !== 0;
      manifest = mutate(rng, pick, c.manifests, inPlace);
      if (inPlace && rng.int(4) !== 0) repairLogCrcs(manifest);
    }
    const current = rng.int(50) === 0 ? rng.bytes(rng.int(20)).toString('latin1') : 'MANIFEST-000005\n';
    return { manifest, current };
  },
  exec({ manifest, current }) {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    writeMemFile(fs, '/db/CURRENT', Buffer.from(current, 'latin1'));
    writeMemFile(fs, '/db/MANIFEST-000005', manifest);
    const vs = new VersionSet('/db', fs);
    return attempt(() => measure(manifest.length, () => vs.recover()), manifest.length)
      ? 'accepted'
      : 'rejected';
  },
  show: ({ manifest, current }) => `CURRENT ${JSON.stringify(current)}, MANIFEST ${hex(manifest, 2048)}`,
});
