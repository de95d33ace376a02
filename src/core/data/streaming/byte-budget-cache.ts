/**
 * A least-recently-used cache whose size is counted in bytes, not entries: samples of one dataset can differ
 * in size (images of their own resolution), and the budget the user gives (--cache-mb) is memory.
 */

export class ByteBudgetCache<V> {
  private readonly entries = new Map<number, { readonly value: V; readonly bytes: number }>();
  private held = 0;
  private peak = 0;
  private evicted = 0;

  constructor(readonly budgetBytes: number) {
    if (!(budgetBytes >= 0)) throw new RangeError(`cache budget: expected a number of bytes ≥ 0, got ${budgetBytes}`);
  }

  /** The value, now the most recently used; undefined when not cached. */
  get(key: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // A Map iterates in insertion order, so re-inserting moves the key to the young end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the value, evicting the least recently used until it fits; a value larger than the budget is not kept. */
  put(key: number, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.held -= old.bytes;
    }
    if (bytes > this.budgetBytes) return;
    for (const [oldest, entry] of this.entries) {
      if (this.held + bytes <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.held -= entry.bytes;
      this.evicted++;
    }
    this.entries.set(key, { value, bytes });
    this.held += bytes;
    this.peak = Math.max(this.peak, this.held);
  }

  get bytes(): number {
    return this.held;
  }

  get peakBytes(): number {
    return this.peak;
  }

  get evictions(): number {
    return this.evicted;
  }

  get size(): number {
    return this.entries.size;
  }
}
