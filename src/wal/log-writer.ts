// Appends records to a log file in the block framing of ../format/wal.ts (used by the WAL and the MANIFEST).
// A group of records is framed into one buffer and handed to the OS with one append (group commit).
// Not reentrant: the caller serializes appends (the write queue's leader, the MANIFEST lock).
//
// Background syncs (the WAL's `walBytesPerSync`, ADR 0025): each time the file has grown by that many bytes
// since the last one started, an append starts an fdatasync without waiting for it, so that the sync a WAL
// rotation or a `sync: true` write waits for finds little left to write. The gap grows with the syncs still in
// flight (k in flight: (k + 1) * walBytesPerSync), since a writer that never yields to the event loop never
// sees one finish: such a burst starts O(sqrt(n)) of them, not n. They only make later syncs shorter: what
// sync() promises is unchanged.
// Invariants: the descriptor is closed only once no sync is in flight; a failed sync is sticky (every later
// sync() rejects with it: after a failed fdatasync the kernel may have dropped the dirty pages, and a later
// fdatasync would succeed without them), and sync() waits for syncs still in flight before it reports success.
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
  readonly #bytesPerSync: number;
  /** The file's size when the last background sync started. */
  #startedAt: number;
  /** Bytes [0, #durable) are covered by a finished sync. */
  #durable: number;
  #inFlight = 0;
  #whenIdle: (() => void)[] = [];
  #syncError: unknown;
  #closed = false;

  /** `bytesPerSync` > 0 starts background syncs as the file grows (see above); 0 syncs only in sync(). */
  constructor(file: WritableFile, bytesPerSync = 0) {
    this.file = file;
    this.#blockOffset = file.size % LOG_BLOCK_SIZE;
    this.#bytesPerSync = bytesPerSync;
    this.#startedAt = this.#durable = file.size;
  }

  /** Frames `records` (each data[0, len)) and appends them with one write. */
  addRecords(records: readonly Uint8Array[], lengths?: readonly number[]): void {
    this.#outLen = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      this.#frame(r, lengths ? lengths[i]! : r.length);
    }
    this.file.append(this.#outLen === this.#out.length ? this.#out : this.#out.subarray(0, this.#outLen));
    const size = this.file.size;
    if (this.#bytesPerSync > 0 && size - this.#startedAt >= this.#bytesPerSync * (this.#inFlight + 1)) {
      this.#startedAt = size;
      void this.#runSync(size);
    }
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

  /** Makes every appended byte durable. Rejects with the first failed sync of this file, forever after. */
  async sync(): Promise<void> {
    if (this.#syncError === undefined && this.file.size > this.#durable) await this.#runSync(this.file.size);
    await this.settle(); // a background sync that fails after ours succeeded may have taken the error
    if (this.#syncError !== undefined) throw this.#syncError;
  }

  /** Bytes appended and not yet covered by a finished sync. */
  get unsyncedBytes(): number {
    return this.file.size - this.#durable;
  }

  /** One fdatasync covering [0, target); never rejects (a failure is kept in #syncError). */
  #runSync(target: number): Promise<void> {
    this.#inFlight++;
    return this.file
      .sync()
      .then(
        () => {
          if (target > this.#durable) this.#durable = target;
        },
        (err: unknown) => {
          this.#syncError ??= err;
        },
      )
      .finally(() => {
        if (--this.#inFlight > 0) return;
        if (this.#closed) this.#closeFile();
        const idle = this.#whenIdle;
        this.#whenIdle = [];
        for (const f of idle) f();
      });
  }

  /** Resolves once no sync is in flight. */
  settle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /** Closes the file now, or once the syncs in flight finish (the descriptor must outlive them). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inFlight === 0) this.file.close();
  }

  #closeFile(): void {
    try {
      this.file.close();
    } catch {
      // a deferred close has no caller to tell; the descriptor is released either way
    }
  }
}
