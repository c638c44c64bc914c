// Buffered stdout with backpressure: long listings (scan, dump-*) go out in 64 KiB writes and wait for
// 'drain', so memory stays flat when the reader (a pipe, a pager) is slow.
import { once } from 'node:events';

const CHUNK = 64 * 1024;

export class Output {
  readonly #stream: NodeJS.WritableStream;
  #parts: string[] = [];
  #size = 0;

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.#stream = stream;
  }

  /** Queues `s` and a newline; awaits when a chunk had to wait for the reader. */
  async line(s: string): Promise<void> {
    this.#parts.push(s, '\n');
    this.#size += s.length + 1;
    if (this.#size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#size === 0) return;
    const chunk = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain');
  }
}
