/**
 * Seeded pseudo-random numbers, so that every dataset, split, shuffle and initialisation is reproducible from one
 * integer. xoshiro128** (Blackman & Vigna): 128-bit state, fast with 32-bit integer arithmetic in JS, and good
 * enough statistically for shuffles and Gaussian noise. The state is seeded through splitmix32 so that nearby
 * seeds (0, 1, 2, …) give unrelated streams.
 */

export interface Rng {
  /** A uniform integer in [0, 2³²). */
  nextUint32(): number;
  /** A uniform float in [0, 1) with 53 bits of resolution. */
  nextFloat(): number;
  /** A uniform integer in [0, bound), without modulo bias; bound is an integer in [1, 2³²]. */
  nextInt(bound: number): number;
  /** A standard normal sample (mean 0, std 1), by the Box–Muller transform. */
  nextNormal(): number;
}

/** A writable array-like: plain arrays and typed arrays both fit. */
export interface MutableIndexable<T> {
  readonly length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;

/** One step of splitmix32: a good 32-bit mixer, used to spread seeds over the generator's state. */
function splitmix32(state: number): { value: number; state: number } {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return { value: z >>> 0, state: next };
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`random seed: expected a safe integer, got ${seed}`);
}

/** Folds a safe integer (up to 53 bits, any sign) into 32 bits without losing its high part. */
function foldSeed(seed: number): number {
  const high = Math.floor(seed / TWO_POW_32);
  return (seed ^ Math.imul(high, 0x9e3779b1)) >>> 0;
}

class Xoshiro128StarStar implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Box–Muller makes normals in pairs; the second one waits here. */
  private spareNormal: number | undefined;

  constructor(seed: number) {
    let state = foldSeed(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const step = splitmix32(state);
      state = step.state;
      words.push(step.value | 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    // The all-zero state is a fixed point; splitmix32 cannot produce it for four words, but stay safe.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new RangeError(`Rng.nextInt: expected an integer bound in [1, 2^32], got ${bound}`);
    }
    // Reject the top sliver of [0, 2³²) that would make small values more likely than large ones.
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }

  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u1 = 1 - this.nextFloat(); // in (0, 1], so the logarithm is finite
    const u2 = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A new generator; the same seed always gives the same stream. */
export function createRng(seed: number): Rng {
  checkSeed(seed);
  return new Xoshiro128StarStar(seed);
}

/**
 * A seed for an independent sub-stream, e.g. deriveSeed(seed, 'split') or deriveSeed(seed, 'epoch', 3), so that
 * adding draws to one part of a pipeline does not shift the random numbers of another part.
 */
export function deriveSeed(seed: number, ...streams: readonly (number | string)[]): number {
  checkSeed(seed);
  let state = foldSeed(seed);
  const absorb = (word: number): void => {
    state = splitmix32((state ^ word) >>> 0).value;
  };
  for (const stream of streams) {
    if (typeof stream === 'number') {
      checkSeed(stream);
      absorb(0x6e756d00); // tag, so that the number 97 and the string 'a' differ
      absorb(foldSeed(stream));
    } else {
      absorb(0x73747200 + (stream.length & 0xff));
      for (let i = 0; i < stream.length; i++) absorb(stream.charCodeAt(i));
    }
  }
  return state;
}

/** Fisher–Yates shuffle, in place; every permutation is equally likely. */
export function shuffleInPlace<T>(items: MutableIndexable<T>, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}

/** A uniformly random permutation of 0 … n−1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, rng);
  return order;
}

/** Fills `out` with normal samples of the given mean and standard deviation; returns `out`. */
export function fillNormal<A extends Float32Array | Float64Array>(out: A, rng: Rng, mean = 0, std = 1): A {
  for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.nextNormal();
  return out;
}
