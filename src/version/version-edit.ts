// A VersionEdit: the change one MANIFEST record makes to the version set (encoding in
// ../format/manifest.ts). decodeVersionEdit checks every bound and raises CorruptionError(file, offset).
import { CorruptionError } from '../errors/errors.js';
import { EditTag, NUM_LEVELS } from '../format/manifest.js';
import { TRAILER_SIZE } from '../format/keys.js';
import { getFixed64, getVarint, putFixed64, putVarint } from '../util/coding.js';
import { binaryString, writeBinary } from '../util/bytes.js';
import type { FileMeta } from './file-meta.js';

export interface VersionEdit {
  formatVersion?: number;
  logNumber?: number;
  nextFileNumber?: number;
  lastSequence?: number;
  newWals?: number[];
  newFiles?: { level: number; meta: FileMeta }[];
  deletedFiles?: { level: number; fileNum: number }[];
}

class Writer {
  buf = Buffer.allocUnsafe(256);
  len = 0;
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  varint(v: number): void {
    this.reserve(10);
    this.len = putVarint(this.buf, this.len, v);
  }
  internalKey(key: string, trailer: number): void {
    this.varint(key.length + TRAILER_SIZE);
    this.reserve(key.length + TRAILER_SIZE);
    this.len += writeBinary(this.buf, key, this.len);
    putFixed64(this.buf, this.len, trailer);
    this.len += TRAILER_SIZE;
  }
}

export function encodeVersionEdit(e: VersionEdit): Buffer {
  const w = new Writer();
  if (e.formatVersion !== undefined) {
    w.varint(EditTag.FormatVersion);
    w.varint(e.formatVersion);
  }
  if (e.logNumber !== undefined) {
    w.varint(EditTag.LogNumber);
    w.varint(e.logNumber);
  }
  if (e.nextFileNumber !== undefined) {
    w.varint(EditTag.NextFileNumber);
    w.varint(e.nextFileNumber);
  }
  if (e.lastSequence !== undefined) {
    w.varint(EditTag.LastSequence);
    w.varint(e.lastSequence);
  }
  for (const n of e.newWals ?? []) {
    w.varint(EditTag.NewWal);
    w.varint(n);
  }
  for (const d of e.deletedFiles ?? []) {
    w.varint(EditTag.DeletedFile);
    w.varint(d.level);
    w.varint(d.fileNum);
  }
  for (const { level, meta } of e.newFiles ?? []) {
    w.varint(EditTag.NewFile);
    w.varint(level);
    w.varint(meta.fileNum);
    w.varint(meta.size);
    w.internalKey(meta.smallestKey, meta.smallestTrailer);
    w.internalKey(meta.largestKey, meta.largestTrailer);
    w.varint(meta.smallestSeq);
    w.varint(meta.largestSeq);
  }
  return w.buf.subarray(0, w.len);
}

export function decodeVersionEdit(buf: Buffer, file: string, offset: number): VersionEdit {
  const e: VersionEdit = {};
  const cur = { pos: 0 };
  let p = 0;
  const fail = (why: string): never => {
    throw new CorruptionError(file, offset, `bad MANIFEST record: ${why}`);
  };
  // Writers store numbers and trailers below 2^53 (exact doubles); a larger one would be read rounded.
  const num = (what: string): number => {
    const v = getVarint(buf, p, buf.length, cur);
    if (v < 0) fail(`truncated ${what}`);
    if (v > Number.MAX_SAFE_INTEGER) fail(`${what} ${v} is 2^53 or more`);
    p = cur.pos;
    return v;
  };
  const ikey = (what: string): [string, number] => {
    const n = num(what);
    if (n < TRAILER_SIZE || p + n > buf.length) fail(`bad ${what} length`);
    const key = binaryString(buf, p, p + n - TRAILER_SIZE);
    const trailer = getFixed64(buf, p + n - TRAILER_SIZE);
    if (trailer > Number.MAX_SAFE_INTEGER) fail(`${what} trailer ${trailer} is 2^53 or more`);
    p += n;
    return [key, trailer];
  };
  const level = (): number => {
    const l = num('level');
    if (l >= NUM_LEVELS) fail(`level ${l} out of range`);
    return l;
  };
  while (p < buf.length) {
    const tag = num('tag');
    switch (tag) {
      case EditTag.FormatVersion:
        e.formatVersion = num('format version');
        break;
      case EditTag.LogNumber:
        e.logNumber = num('log number');
        break;
      case EditTag.NextFileNumber:
        e.nextFileNumber = num('next file number');
        break;
      case EditTag.LastSequence:
        e.lastSequence = num('last sequence');
        break;
      case EditTag.NewWal:
        (e.newWals ??= []).push(num('wal number'));
        break;
      case EditTag.DeletedFile: {
        const l = level();
        (e.deletedFiles ??= []).push({ level: l, fileNum: num('file number') });
        break;
      }
      case EditTag.NewFile: {
        const l = level();
        const fileNum = num('file number');
        const size = num('file size');
        const [smallestKey, smallestTrailer] = ikey('smallest key');
        const [largestKey, largestTrailer] = ikey('largest key');
        const smallestSeq = num('smallest seq');
        const largestSeq = num('largest seq');
        (e.newFiles ??= []).push({
          level: l,
          meta: {
            fileNum,
            size,
            smallestKey,
            smallestTrailer,
            largestKey,
            largestTrailer,
            smallestSeq,
            largestSeq,
          },
        });
        break;
      }
      default:
        fail(`unknown tag ${tag}`);
    }
  }
  return e;
}
