/**
 * The start of a text file, for guessing what it holds without reading it all (the workspace scan, `--data`):
 * its first `maxBytes` bytes, decoded, cut after the last whole line when the file goes on.
 */
import * as fs from 'node:fs';

/** Null when the file cannot be opened or read, or `decode` refuses its bytes. */
export function readFileHead(file: string, maxBytes: number, decode: (bytes: Buffer) => string = (b) => b.toString('utf8')): string | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(maxBytes);
    const n = fs.readSync(fd, buf, 0, maxBytes, 0);
    const text = decode(buf.subarray(0, n));
    // A full buffer may end inside a line: keep whole lines only.
    return n === maxBytes ? text.slice(0, Math.max(0, text.lastIndexOf('\n'))) : text;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
