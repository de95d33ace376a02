/** Errors a user can act on: they name the file or dataset, the row (sample) when one is at fault, and what was expected. */
export class DatasetError extends Error {
  constructor(
    /** The file the data came from, or the dataset's name when it was built in memory. */
    readonly source: string,
    readonly detail: string,
    readonly row?: number,
  ) {
    super(`${source}${row === undefined ? '' : `: row ${row}`}: ${detail}`);
    this.name = 'DatasetError';
  }
}
