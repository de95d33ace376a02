/** What the ReBias colouring rule promises, written out independently of the implementation for the tests. */
import assert from 'node:assert/strict';

/** counts[c][k]: samples of class c with colour k. */
export function colourCountsByClass(y: Int32Array, colours: Int32Array, classes = 10): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  y.forEach((c, i) => counts[c][colours[i]]++);
  return counts;
}

/** Sizes of the other-colour chunks, largest first: ⌈r/9⌉ each, the last one short, then zeros. */
export function expectedOtherColourCounts(n: number, rho: number, classes = 10): number[] {
  const rest = n - Math.floor(n * rho);
  const chunk = Math.ceil(rest / (classes - 1));
  return Array.from({ length: classes - 1 }, (_, j) => Math.max(0, Math.min(chunk, rest - j * chunk)));
}

/** Per class: ⌊n·ρ⌋ samples of the class colour, and the other colours' counts are exactly the chunk sizes. */
export function assertChunkRule(y: Int32Array, colours: Int32Array, rho: number, what: string): void {
  colourCountsByClass(y, colours).forEach((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    assert.equal(row[c], Math.floor(n * rho), `${what}: class ${c} (n=${n}) aligned count`);
    const others = row.filter((_, k) => k !== c).sort((a, b) => b - a);
    assert.deepEqual(others, expectedOtherColourCounts(n, rho), `${what}: class ${c} (n=${n}) other-colour counts`);
  });
}
