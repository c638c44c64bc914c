// A byte-bounded cache with approximate LRU eviction on JavaScript's insertion-ordered Map. A hit moves the
// entry to the newest end only when it has aged past a quarter of the entries (so hot entries cost one Map
// lookup); eviction takes from the oldest end, in bulk down to 7/8 of capacity so it is amortized.
// Single-threaded: no locking.
interface Slot<V> {
  value: V;
  charge: number;
  stamp: number;
  /** Set by the writer; get() with a different tag is a miss (keys reused by another owner). */
  tag: number;
}

export class LruCache<K, V> {
  #map = new Map<K, Slot<V>>();
  #capacity: number;
  #used = 0;
  #tick = 0;
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

  get(key: K, tag = 0): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined || e.tag !== tag) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (this.#tick - e.stamp > this.#map.size >>> 2) {
      e.stamp = ++this.#tick;
      this.#map.delete(key);
      this.#map.set(key, e);
    }
    return e.value;
  }

  set(key: K, value: V, charge: number, tag = 0): void {
    if (charge > this.#capacity) return;
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#used -= old.charge;
      this.#map.delete(key);
    }
    this.#map.set(key, { value, charge, stamp: ++this.#tick, tag });
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

  clear(): void {
    this.#map.clear();
    this.#used = 0;
  }

  #evict(): void {
    const target = this.#capacity - (this.#capacity >>> 3);
    for (const [k, e] of this.#map) {
      if (this.#used <= target) break;
      this.#used -= e.charge;
      this.#map.delete(k);
    }
  }
}
