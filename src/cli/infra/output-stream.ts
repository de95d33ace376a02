/** The slice of a Node stream the CLI writes to; tests pass a fake that records the chunks. */
export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width, when the stream is a terminal. */
  readonly columns?: number;
}
