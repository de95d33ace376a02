/** The `bise.memoryMb` setting as a job's field (src/protocol/jobs.ts), apart from VS Code so that it can be tested. */

/**
 * A whole number of MiB ≥ 1 becomes the job's memory budget, as `bise extract --memory-mb`; 0 (the default) or
 * anything else leaves the field out, so the engine takes its own default (half of the free memory).
 */
export function memoryMbSetting(value: unknown): { memoryMb?: number } {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? { memoryMb: value } : {};
}
