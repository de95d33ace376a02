/** Errors a user can act on: they name the node and op (or the group) and say why pruning stops there. */
export class PruneError extends Error {
  constructor(
    message: string,
    /** The node where pruning could not continue, when there is one. */
    readonly node?: string,
    readonly opType?: string,
    /** The dependency group at fault, when there is one. */
    readonly group?: number,
  ) {
    super(message);
    this.name = 'PruneError';
  }
}
