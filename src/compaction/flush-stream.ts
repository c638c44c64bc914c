// The stream a flush sends to its worker (ADR 0010): the frozen memtable's write batches, in the order they
// were applied, packed into chunks that are transferred (not copied) to the worker, which adds them to an
// empty memtable and writes that. In memory only, never on disk.
//   chunk := batch*
//   batch := len:fixed32 seq:fixed64 rep[len]       rep: one encoded write batch (../format/batch.ts)
// A chunk ends at a batch boundary. The reader checks the framing and throws an Error on a malformed chunk
// (a bug in this process, not damage on disk).
import { getFixed32, getFixed64, putFixed32, putFixed64 } from '../util/coding.js';

/** A chunk is sent once it holds at least this many bytes. */
export const FLUSH_CHUNK_BYTES = 1024 * 1024;
const FRAME = 12;

/** Packs batches into chunks; `take()` hands out the packed bytes and starts a new chunk. */
export class FlushChunkWriter {
  #buf = Buffer.allocUnsafeSlow(FLUSH_CHUNK_BYTES + FRAME);
  #pos = 0;

  get size(): number {
    return this.#pos;
  }

  /** Appends the batch src[off, off + len) whose first record has sequence number `seq`. */
  addBatch(src: Uint8Array, off: number, len: number, seq: number): void {
    if (this.#pos + FRAME + len > this.#buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#pos + FRAME + len));
      next.set(this.#buf.subarray(0, this.#pos));
      this.#buf = next;
    }
    putFixed32(this.#buf, this.#pos, len);
    putFixed64(this.#buf, this.#pos + 4, seq);
    this.#buf.set(src.subarray(off, off + len), this.#pos + FRAME);
    this.#pos += FRAME + len;
  }

  /**
   * The packed chunk: bytes [0, length) of an ArrayBuffer the writer no longer uses (put it in a transfer
   * list). The writer continues in a new buffer.
   */
  take(): { chunk: ArrayBuffer; length: number } {
    const out = { chunk: this.#buf.buffer as ArrayBuffer, length: this.#pos };
    this.#buf = Buffer.allocUnsafeSlow(FLUSH_CHUNK_BYTES + FRAME);
    this.#pos = 0;
    return out;
  }
}

/** Calls `fn` for each batch of chunk[0, length): a view of its bytes (no copy) and its first seq. */
export function forEachChunkBatch(
  chunk: ArrayBuffer,
  length: number,
  fn: (rep: Buffer, seq: number) => void,
): void {
  let p = 0;
  while (p < length) {
    if (p + FRAME > length) throw new Error(`malformed flush chunk at ${p}`);
    const len = getFixed32(Buffer.from(chunk, p, 4), 0);
    const seq = getFixed64(Buffer.from(chunk, p + 4, 8), 0);
    if (p + FRAME + len > length) throw new Error(`malformed flush chunk at ${p}`);
    fn(Buffer.from(chunk, p + FRAME, len), seq);
    p += FRAME + len;
  }
}
