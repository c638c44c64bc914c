// A tiny progress bar for long commands (load, compact, check). It draws only when stdout is a terminal:
// redraws in place with \r at most every 100 ms, and finish() draws the final state and ends the line, so
// what follows starts on a clean line. With stdout not a TTY every method is a no-op.
//   label [##########----------]  50%  1.2 MB / 2.4 MB
// A total of 0 means "unknown": the bar shows a moving block and the elapsed time instead.

const FRAME_MS = 100;

export class Progress {
  readonly #out: NodeJS.WriteStream | undefined;
  readonly #label: string;
  readonly #total: number;
  readonly #format: (n: number) => string;
  readonly #start = Date.now();
  #done = 0;
  #lastDraw = 0;
  #lastWidth = 0;
  #finished = false;
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param total units of work (0 when unknown)
   * @param format renders an amount of units (default: the number)
   * @param out where to draw; undefined disables the bar
   */
  constructor(label: string, total: number, format?: (n: number) => string, out?: NodeJS.WriteStream) {
    this.#out = out;
    this.#label = label;
    this.#total = total;
    this.#format = format ?? ((n) => String(n));
    if (out !== undefined && total === 0) {
      // Unknown total: keep the animation and the clock moving while the work runs.
      this.#timer = setInterval(() => this.#draw(false), FRAME_MS);
      this.#timer.unref();
    }
    this.#draw(false);
  }

  /** A bar on process.stdout when it is a terminal, else a silent one. */
  static forStdout(label: string, total: number, format?: (n: number) => string): Progress {
    return new Progress(label, total, format, process.stdout.isTTY === true ? process.stdout : undefined);
  }

  /** Sets the amount of work done. */
  update(done: number): void {
    this.#done = done;
    if (Date.now() - this.#lastDraw >= FRAME_MS) this.#draw(false);
  }

  /** Adds `n` units of work done. */
  tick(n = 1): void {
    this.update(this.#done + n);
  }

  /** Draws the final state and ends the line (idempotent). */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#out === undefined) return;
    if (this.#total > 0) this.#done = this.#total;
    this.#draw(true);
    this.#out.write('\n');
  }

  /** Ends the line where the bar stands, without completing it (for errors; idempotent). */
  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#out !== undefined && this.#lastWidth > 0) this.#out.write('\n');
  }

  #draw(final: boolean): void {
    const out = this.#out;
    if (out === undefined || (this.#finished && !final)) return;
    this.#lastDraw = Date.now();
    const cols = out.columns > 20 ? out.columns : 80;
    let tail: string;
    let filled: (w: number) => string;
    if (this.#total > 0) {
      const frac = Math.min(1, this.#done / this.#total);
      tail = ` ${String(Math.floor(frac * 100)).padStart(3)}%  ${this.#format(this.#done)} / ${this.#format(this.#total)}`;
      filled = (w) => {
        const n = Math.round(frac * w);
        return '#'.repeat(n) + '-'.repeat(w - n);
      };
    } else {
      const secs = ((Date.now() - this.#start) / 1000).toFixed(1);
      tail = final ? `  done in ${secs}s` : `  ${secs}s`;
      filled = (w) => {
        if (final) return '#'.repeat(w);
        const pos = Math.floor((Date.now() - this.#start) / FRAME_MS) % w;
        return '-'.repeat(pos) + '#' + '-'.repeat(w - pos - 1);
      };
    }
    const width = Math.max(10, Math.min(30, cols - this.#label.length - tail.length - 4));
    const line = `${this.#label} [${filled(width)}]${tail}`.slice(0, cols - 1);
    const pad = this.#lastWidth > line.length ? ' '.repeat(this.#lastWidth - line.length) : '';
    this.#lastWidth = line.length;
    out.write(`\r${line}${pad}`);
  }
}

/** 1536 -> "1.5 KB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
