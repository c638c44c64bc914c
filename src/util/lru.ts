// A byte-bounded LRU map on JavaScript's insertion-ordered Map: a hit re-inserts the key (moves it to the
// newest end); eviction takes from the oldest end until the charge fits. Single-threaded: no locking.
export class LruCache<K, V> {
  #map = new Map<K, { value: V; charge: number }>();
  #capacity: number;
  #used = 0;
  hits = 0;
  misses = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }
  get usedBytes(): number {
    return this.#used;
  }

  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, charge: number): void {
    if (charge > this.#capacity) return;
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#used -= old.charge;
      this.#map.delete(key);
    }
    this.#map.set(key, { value, charge });
    this.#used += charge;
    if (this.#used > this.#capacity) this.#evict();
  }

  delete(key: K): void {
    const e = this.#map.get(key);
    if (e !== undefined) {
      this.#used -= e.charge;
      this.#map.delete(key);
    }
  }

  /** Removes every entry for which `pred` is true. */
  deleteWhere(pred: (key: K) => boolean): void {
    for (const [k, e] of this.#map) {
      if (pred(k)) {
        this.#used -= e.charge;
        this.#map.delete(k);
      }
    }
  }

  clear(): void {
    this.#map.clear();
    this.#used = 0;
  }

  #evict(): void {
    for (const [k, e] of this.#map) {
      if (this.#used <= this.#capacity) break;
      this.#used -= e.charge;
      this.#map.delete(k);
    }
  }
}
