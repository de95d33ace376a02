/**
 * Seeded randomness for tests (mulberry32), and value generators. Every generated value is float32-exact, so a
 * float32 runtime and the float64 reference see the same numbers.
 */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** Draws `count` values; the builder rounds them to float32. */
export type ValueGen = (rng: Rng, count: number) => number[];

export const normal = (scale = 1): ValueGen => (rng, count) => Array.from({ length: count }, () => scale * rng.normal());

export const uniform = (lo: number, hi: number): ValueGen => (rng, count) => Array.from({ length: count }, () => rng.uniform(lo, hi));

/** Normal values at least `margin` away from every point in `kinks` (for Relu, Clip, ... under finite differences). */
export const awayFrom = (kinks: readonly number[], margin = 0.05, scale = 1): ValueGen => (rng, count) =>
  Array.from({ length: count }, () => {
    for (;;) {
      const v = scale * rng.normal();
      if (kinks.every((k) => Math.abs(v - k) >= margin)) return v;
    }
  });

/** |v| in [lo, hi] with a random sign (divisors). */
export const magnitude = (lo: number, hi: number): ValueGen => (rng, count) =>
  Array.from({ length: count }, () => (rng.bool() ? 1 : -1) * rng.uniform(lo, hi));

/** Distinct values at least ~0.006 apart in random order, so a max never ties under finite differences. */
export const distinct = (): ValueGen => (rng, count) =>
  rng.shuffle(Array.from({ length: count }, (_, i) => (i - count / 2) * 0.01 + rng.uniform(-0.002, 0.002)));

export function float32Values(rng: Rng, count: number, gen: ValueGen): Float64Array {
  return Float64Array.from(gen(rng, count), (v) => Math.fround(v));
}

/** A stable seed for draw `draw` of the test named `name` (FNV-1a), so every failure names a reproducible case. */
export function seedFor(name: string, draw: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${name}#${draw}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
