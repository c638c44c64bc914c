// Appends records to a log file in the block framing of ../format/wal.ts (used by the WAL and the MANIFEST).
// A group of records is framed into one buffer and handed to the OS with one append (group commit).
// Not reentrant: the caller serializes calls (the write queue's leader, the MANIFEST lock).
import { FragmentType, LOG_BLOCK_SIZE, LOG_HEADER_SIZE } from '../format/wal.js';
import type { WritableFile } from '../fs/file-system.js';
import { crc32Of, maskCrc } from '../util/checksum.js';
import { putFixed32 } from '../util/coding.js';
import { growBuffer } from '../util/bytes.js';

const TYPE_CRC = [0, 1, 2, 3, 4].map((t) => crc32Of(Uint8Array.of(t)));

export class LogWriter {
  readonly file: WritableFile;
  #blockOffset: number;
  #out = Buffer.allocUnsafe(64 * 1024);
  #outLen = 0;

  constructor(file: WritableFile) {
    this.file = file;
    this.#blockOffset = file.size % LOG_BLOCK_SIZE;
  }

  /** Frames `records` (each data[0, len)) and appends them with one write. */
  addRecords(records: readonly Uint8Array[], lengths?: readonly number[]): void {
    this.#outLen = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      this.#frame(r, lengths ? lengths[i]! : r.length);
    }
    this.file.append(this.#outLen === this.#out.length ? this.#out : this.#out.subarray(0, this.#outLen));
  }

  addRecord(record: Uint8Array): void {
    this.addRecords([record]);
  }

  #frame(data: Uint8Array, len: number): void {
    let left = len;
    let p = 0;
    let begin = true;
    do {
      const leftover = LOG_BLOCK_SIZE - this.#blockOffset;
      if (leftover < LOG_HEADER_SIZE) {
        if (leftover > 0) {
          this.#ensure(leftover);
          this.#out.fill(0, this.#outLen, this.#outLen + leftover);
          this.#outLen += leftover;
        }
        this.#blockOffset = 0;
      }
      const avail = LOG_BLOCK_SIZE - this.#blockOffset - LOG_HEADER_SIZE;
      const n = left < avail ? left : avail;
      const end = left === n;
      const type =
        begin && end
          ? FragmentType.Full
          : begin
            ? FragmentType.First
            : end
              ? FragmentType.Last
              : FragmentType.Middle;
      this.#ensure(LOG_HEADER_SIZE + n);
      const out = this.#out;
      const h = this.#outLen;
      const payload = data.subarray(p, p + n);
      putFixed32(out, h, maskCrc(crc32Of(payload, TYPE_CRC[type])));
      out[h + 4] = n & 0xff;
      out[h + 5] = n >>> 8;
      out[h + 6] = type;
      out.set(payload, h + LOG_HEADER_SIZE);
      this.#outLen = h + LOG_HEADER_SIZE + n;
      this.#blockOffset += LOG_HEADER_SIZE + n;
      p += n;
      left -= n;
      begin = false;
    } while (left > 0);
  }

  #ensure(extra: number): void {
    this.#out = growBuffer(this.#out, this.#outLen, this.#outLen + extra);
  }

  sync(): Promise<void> {
    return this.file.sync();
  }

  close(): void {
    this.file.close();
  }
}
