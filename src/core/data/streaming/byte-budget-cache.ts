/**
 * A cache whose size is counted in bytes, not entries (samples of one dataset can differ in size: images of their
 * own resolution, and the budget the user gives, --cache-mb, is memory), that keeps what it admitted and admits
 * nothing more once full. Training reads every sample once per epoch in a new shuffled order, so a least-recently
 * -used cache smaller than the data evicts each sample before its next use and hits almost never (about 4% at
 * 256 MiB of 20,000 images); keeping the first samples decoded, a random subset since the first epoch is
 * shuffled, hits in every later epoch at the share of the data that fits (about 25% there).
 */

export class ByteBudgetCache<V> {
  private readonly entries = new Map<number, { readonly value: V; readonly bytes: number }>();
  private held = 0;
  private turnedAway = 0;

  constructor(readonly budgetBytes: number) {
    if (!(budgetBytes >= 0)) throw new RangeError(`cache budget: expected a number of bytes ≥ 0, got ${budgetBytes}`);
  }

  get(key: number): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Keeps the value if it fits in what is left of the budget; otherwise (or when the key is held) nothing changes. */
  put(key: number, value: V, bytes: number): void {
    if (this.entries.has(key)) return;
    if (this.held + bytes > this.budgetBytes) {
      this.turnedAway++;
      return;
    }
    this.entries.set(key, { value, bytes });
    this.held += bytes;
  }

  get bytes(): number {
    return this.held;
  }

  /** Values offered but not kept because the budget was spent. */
  get rejections(): number {
    return this.turnedAway;
  }

  get size(): number {
    return this.entries.size;
  }
}
