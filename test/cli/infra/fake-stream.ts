/** A stream stand-in that records what the reporter writes and can replay it like a terminal. */
import type { OutputStream } from '../../../src/cli/infra/output-stream';

export class FakeStream implements OutputStream {
  readonly chunks: string[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {}

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** The lines a terminal would show: \r returns to column 0, \x1b[K erases to the line's end, text overwrites. */
  get screen(): string[] {
    const lines = [''];
    let col = 0;
    for (const piece of this.text.split(/(\r|\n|\x1b\[K)/)) {
      const row = lines.length - 1;
      if (piece === '\r') col = 0;
      else if (piece === '\n') {
        lines.push('');
        col = 0;
      } else if (piece === '\x1b[K') lines[row] = lines[row].slice(0, col);
      else {
        lines[row] = lines[row].slice(0, col) + piece + lines[row].slice(col + piece.length);
        col += piece.length;
      }
    }
    return lines;
  }
}
