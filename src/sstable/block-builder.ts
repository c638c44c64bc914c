// Builds one block in the entry format of ../format/sstable.ts: keys share their prefix with the previous key
// except at restart points (every `restartInterval` entries), where the key is stored whole.
// REQUIRES: keys are added in strictly increasing internal-key order.
import { putFixed32, putFixed64, putVarint } from '../util/coding.js';
import { writeBinary } from '../util/bytes.js';
import { giveScratch, growScratch } from '../util/scratch.js';

export class BlockBuilder {
  #buf = Buffer.allocUnsafe(8192);
  #len = 0;
  #restarts: number[] = [0];
  #counter = 0;
  #lastKey = '';
  #lastTrailer = -1;
  readonly #interval: number;
  entries = 0;

  constructor(restartInterval: number) {
    this.#interval = restartInterval;
  }

  get isEmpty(): boolean {
    return this.entries === 0;
  }

  /** Size of the finished block contents if finish() were called now. */
  get estimatedSize(): number {
    return this.#len + 4 * this.#restarts.length + 4;
  }

  get lastKey(): string {
    return this.#lastKey;
  }
  get lastTrailer(): number {
    return this.#lastTrailer;
  }

  /** Adds (userKey ++ trailer) -> value[vOff, vOff + vLen). With trailer < 0 the key is stored without a trailer. */
  add(userKey: string, trailer: number, value: Uint8Array, vOff: number, vLen: number): void {
    let shared = 0;
    if (this.#counter < this.#interval) {
      const last = this.#lastKey;
      const max = Math.min(last.length, userKey.length);
      while (shared < max && last.charCodeAt(shared) === userKey.charCodeAt(shared)) shared++;
    } else {
      this.#restarts.push(this.#len);
      this.#counter = 0;
    }
    const tLen = trailer >= 0 ? 8 : 0;
    const unshared = userKey.length - shared + tLen;
    this.#reserve(15 + unshared + vLen);
    const buf = this.#buf;
    let p = putVarint(buf, this.#len, shared);
    p = putVarint(buf, p, unshared);
    p = putVarint(buf, p, vLen);
    const n = userKey.length;
    if (n - shared <= 64) {
      // A loop beats slice() + latin1Write for short suffixes (11–12 vs 49–50 ns for 6 bytes: scripts/micro-probes.mjs suffix).
      for (let i = shared; i < n; i++) buf[p++] = userKey.charCodeAt(i);
    } else p += writeBinary(buf, shared === 0 ? userKey : userKey.slice(shared), p);
    if (tLen) {
      putFixed64(buf, p, trailer);
      p += 8;
    }
    if (vLen > 0) {
      if (vLen < 32) for (let i = 0; i < vLen; i++) buf[p + i] = value[vOff + i]!;
      else buf.set(value.subarray(vOff, vOff + vLen), p);
      p += vLen;
    }
    this.#len = p;
    this.#lastKey = userKey;
    this.#lastTrailer = trailer;
    this.#counter++;
    this.entries++;
  }

  /** Appends the restart array; returns the block contents (valid until reset()). */
  finish(): Buffer {
    this.#reserve(4 * this.#restarts.length + 4);
    let p = this.#len;
    for (const r of this.#restarts) {
      putFixed32(this.#buf, p, r);
      p += 4;
    }
    putFixed32(this.#buf, p, this.#restarts.length);
    p += 4;
    return this.#buf.subarray(0, p);
  }

  reset(): void {
    this.#len = 0;
    this.#restarts = [0];
    this.#counter = 0;
    this.#lastKey = '';
    this.#lastTrailer = -1;
    this.entries = 0;
  }

  /** Gives the buffer back for reuse when it came from util/scratch.ts (a block that outgrew 8 KiB: an index
   *  block). The last finish()'s contents become invalid; the builder is not to be used again. */
  release(): void {
    giveScratch(this.#buf.buffer);
    this.#buf = Buffer.alloc(0);
    this.#len = 0;
  }

  #reserve(extra: number): void {
    const need = this.#len + extra;
    if (need <= this.#buf.length) return;
    // Past 8 KiB (index blocks) the buffer doubles in scratch memory, and the outgrown one is given back.
    this.#buf = Buffer.from(growScratch(this.#buf, this.#len, Math.max(need, 2 * this.#buf.length)));
  }
}
