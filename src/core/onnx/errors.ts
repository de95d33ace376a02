/** Errors a user can act on: they name the file, the node (or tensor) and what was expected. */
export class OnnxModelError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly node?: string,
  ) {
    super(`${file}${node ? `: node '${node}'` : ''}: ${detail}`);
    this.name = 'OnnxModelError';
  }
}
