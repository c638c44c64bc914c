// The entry stream a flush sends to its worker (ADR 0010): the memtable's surviving versions in internal-key
// order, packed into chunks that are transferred (not copied) to the worker, which feeds them to a
// TableBuilder. In memory only, never on disk.
//   chunk := entry*
//   entry := keyLen:varint key[keyLen] trailer:fixed64 valueLen:varint value[valueLen]
// A chunk ends at an entry boundary. The writer guarantees order (each entry's internal key is greater than
// the one before, across chunks); the reader checks framing and stops with an Error on a malformed chunk (a
// bug, not damage on disk).
import { getFixed64, getVarint, putFixed64, putVarint } from '../util/coding.js';
import { binaryString } from '../util/bytes.js';
import type { TableBuilder } from '../sstable/table-builder.js';

/** A chunk is sent once it holds at least this many bytes. */
export const FLUSH_CHUNK_BYTES = 512 * 1024;

/** Packs entries into chunks; `take()` hands out the packed bytes and starts a new chunk. */
export class FlushChunkWriter {
  #buf = Buffer.allocUnsafeSlow(FLUSH_CHUNK_BYTES + 64 * 1024);
  #pos = 0;

  get size(): number {
    return this.#pos;
  }

  /** Appends one entry; `key` is a binary string (one char per byte). */
  add(key: string, trailer: number, value: Uint8Array, vOff: number, vLen: number): void {
    const need = 10 + key.length + 8 + 5 + vLen;
    if (this.#pos + need > this.#buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#pos + need));
      next.set(this.#buf.subarray(0, this.#pos));
      this.#buf = next;
    }
    const buf = this.#buf;
    let p = putVarint(buf, this.#pos, key.length);
    if (key.length <= 64) for (let i = 0; i < key.length; i++) buf[p + i] = key.charCodeAt(i);
    else buf.write(key, p, 'latin1');
    p += key.length;
    putFixed64(buf, p, trailer);
    p = putVarint(buf, p + 8, vLen);
    if (vLen <= 128) for (let i = 0; i < vLen; i++) buf[p + i] = value[vOff + i]!;
    else buf.set(value.subarray(vOff, vOff + vLen), p);
    this.#pos = p + vLen;
  }

  /**
   * The packed chunk: bytes [0, length) of an ArrayBuffer the writer no longer uses (put it in a transfer
   * list). The writer continues in a new buffer.
   */
  take(): { chunk: ArrayBuffer; length: number } {
    const out = { chunk: this.#buf.buffer as ArrayBuffer, length: this.#pos };
    this.#buf = Buffer.allocUnsafeSlow(FLUSH_CHUNK_BYTES + 64 * 1024);
    this.#pos = 0;
    return out;
  }
}

/** Adds every entry of chunk[0, length) to `builder`. */
export function addChunk(builder: TableBuilder, chunk: ArrayBuffer, length: number): void {
  const buf = Buffer.from(chunk, 0, length);
  const end = length;
  const cur = { pos: 0 };
  let p = 0;
  while (p < end) {
    const kLen = getVarint(buf, p, end, cur);
    const kStart = cur.pos;
    if (kLen < 0 || kStart + kLen + 8 > end) throw new Error(`malformed flush chunk at ${p}`);
    const key = binaryString(buf, kStart, kStart + kLen);
    const trailer = getFixed64(buf, kStart + kLen);
    const vLen = getVarint(buf, kStart + kLen + 8, end, cur);
    const vStart = cur.pos;
    if (vLen < 0 || vStart + vLen > end) throw new Error(`malformed flush chunk at ${p}`);
    builder.add(key, trailer, buf, vStart, vLen);
    p = vStart + vLen;
  }
}
