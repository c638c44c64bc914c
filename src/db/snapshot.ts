// A snapshot is a sequence number: reads through it see, per key, the newest entry with seq <= snapshot.seq.
import { InvalidArgumentError } from '../errors/errors.js';

export class Snapshot {
  readonly #seq: number;
  #released = false;
  readonly #onRelease: (s: Snapshot) => void;

  /** @internal */
  constructor(seq: number, onRelease: (s: Snapshot) => void) {
    this.#seq = seq;
    this.#onRelease = onRelease;
  }

  /** The sequence number this snapshot reads at. @throws INVALID_ARGUMENT once released. */
  get seq(): number {
    if (this.#released) throw new InvalidArgumentError('snapshot has been released');
    return this.#seq;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Releases the snapshot (idempotent). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this);
  }
}
