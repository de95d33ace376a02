/** Errors a user can act on: they name the file, the node (or tensor) and what was expected. */
export class OnnxModelError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly node?: string,
    /** The error this one explains, when it wraps one (kept for BISE_DEBUG stacks and the fuzz tests). */
    cause?: unknown,
  ) {
    super(`${file}${node ? `: node '${node}'` : ''}: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'OnnxModelError';
  }
}
