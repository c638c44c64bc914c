// The bytes of one in-memory file (an inode): a growable buffer that handles share, so a file keeps its
// data across rename and after unlink while a handle still holds it, as on POSIX. Appends amortise to O(1)
// by doubling capacity. Single-threaded: no locking.

/** One in-memory file's contents. Not part of the public API. */
export class MemFile {
  #buf: Uint8Array = new Uint8Array(0);
  #length = 0;

  /** Bytes in the file. */
  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `data`. */
  append(data: Uint8Array): void {
    const need = this.#length + data.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2, 64));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(data, this.#length);
    this.#length = need;
  }

  /** Shrinks the file to `length` bytes (REQUIRES: length <= this.length). */
  truncate(length: number): void {
    this.#length = Math.min(length, this.#length);
  }

  /** Copies up to `length` bytes at `position` into `buffer` at `offset`; returns the count (short at EOF). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): number {
    const end = Math.min(this.#length, position + length);
    if (end <= position) return 0;
    buffer.set(this.#buf.subarray(position, end), offset);
    return end - position;
  }

  /** A fresh copy of bytes [start, end). */
  copy(start = 0, end = this.#length): Buffer {
    return Buffer.from(this.#buf.subarray(start, Math.min(end, this.#length)));
  }
}
