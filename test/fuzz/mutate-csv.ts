/**
 * Structural mutations of a dataset CSV: quotes, separators, line breaks, byte-order marks, invalid UTF-8,
 * whole rows repeated or dropped, header names changed, paths pointed elsewhere, labels made huge or negative.
 */
import type { Rng } from '../../src/core/data/random';
import { pick } from './mutate-bytes';

const PIECES = [',', '"', '""', '\n', '\r', '\r\n', '\uFEFF', ' ', '-', '1', '99999999999', '-3', 'a', '\\', '\u0000', 'é', 'train', 'val', 'test', 'split', '../', '/etc/passwd', 'images/0.png'];
const COLUMNS = ['path', 'label', 'bias', 'bias2', 'split', 'PATH', ' label ', 'path', 'extra', ''];

const EDITS: readonly ((text: string, rng: Rng) => string)[] = [
  (t, rng) => {
    const at = rng.nextInt(t.length + 1);
    return t.slice(0, at) + pick(PIECES, rng) + t.slice(at);
  },
  (t, rng) => {
    const at = rng.nextInt(t.length + 1);
    return t.slice(0, at) + t.slice(at + 1 + rng.nextInt(12));
  },
  (t, rng) => {
    const lines = t.split('\n');
    const i = rng.nextInt(lines.length);
    if (rng.nextInt(2) === 0) lines.splice(i, 1);
    else lines.splice(rng.nextInt(lines.length + 1), 0, lines[i]);
    return lines.join('\n');
  },
  (t, rng) => {
    const lines = t.split('\n');
    const header = lines[0].split(',');
    header[rng.nextInt(header.length)] = pick(COLUMNS, rng);
    if (rng.nextInt(3) === 0) header.push(pick(COLUMNS, rng));
    lines[0] = header.join(',');
    return lines.join('\n');
  },
  (t, rng) => {
    const lines = t.split('\n');
    const i = 1 + rng.nextInt(Math.max(1, lines.length - 1));
    const fields = (lines[i] ?? '').split(',');
    fields[rng.nextInt(fields.length)] = pick(PIECES, rng);
    lines[i] = fields.join(',');
    return lines.join('\n');
  },
  (t, rng) => t.slice(0, rng.nextInt(t.length + 1)),
];

/** One to three text edits; sometimes an invalid UTF-8 byte as well. */
export function mutateCsv(text: string, rng: Rng): { bytes: Uint8Array; what: string } {
  let current = text;
  const n = 1 + rng.nextInt(3);
  for (let k = 0; k < n; k++) current = pick(EDITS, rng)(current, rng);
  let bytes: Uint8Array = new TextEncoder().encode(current);
  if (rng.nextInt(20) === 0) {
    const at = rng.nextInt(bytes.length + 1);
    bytes = Uint8Array.from([...bytes.subarray(0, at), pick([0xff, 0xc3, 0x80, 0xed], rng), ...bytes.subarray(at)]);
  }
  return { bytes, what: JSON.stringify(current.length > 300 ? `${current.slice(0, 300)}…` : current) };
}
