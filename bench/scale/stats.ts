/** Summary statistics of repeated timings. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `run` `warmup` times untimed, then `repeats` times timed; returns the timed milliseconds. */
export async function timeRepeated(run: () => Promise<void>, warmup: number, repeats: number, afterEach?: () => void): Promise<number[]> {
  for (let i = 0; i < warmup; i++) {
    await run();
    afterEach?.();
  }
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
    afterEach?.();
  }
  return times;
}

export const MIB = 1024 * 1024;
