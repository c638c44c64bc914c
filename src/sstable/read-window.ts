// A window of consecutive file bytes that a sequential scan reads many blocks at a time into (compaction inputs:
// one read of up to READ_WINDOW_BYTES instead of one per 4 KiB block). The buffer comes from util/scratch.ts and
// goes back in release() (ADR 0017).
import { giveScratch, takeScratch } from '../util/scratch.js';

/** Bytes a window reads at once (more when one block is larger). */
export const READ_WINDOW_BYTES = 256 * 1024;

export class ReadWindow {
  buf: Buffer = Buffer.alloc(0);
  /** File offsets [start, end) held in buf[0, end - start); empty when start === end. */
  start = 0;
  end = 0;

  /** A buffer of at least `length` bytes to read into; its previous contents are forgotten. */
  reserve(length: number): Buffer {
    this.start = this.end = 0;
    if (this.buf.length < length) {
      giveScratch(this.buf.buffer);
      this.buf = Buffer.from(takeScratch(length));
    }
    return this.buf;
  }

  /** Gives the buffer back; the window is empty and may be used again. */
  release(): void {
    giveScratch(this.buf.buffer);
    this.buf = Buffer.alloc(0);
    this.start = this.end = 0;
  }
}
