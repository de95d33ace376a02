/**
 * Field-level mutations of a .npy file: the header dict's text (shape numbers, dtype, keys, quoting), the
 * header-length field and the version bytes, so the mutant reaches the header parser and the size checks.
 */
import type { Rng } from '../../src/core/data/random';
import { pick } from './mutate-bytes';

const SHAPE_NUMBERS = ['0', '-1', '1', '3', '2147483648', '1099511627776', '9007199254740993', '1e3', '3L', '+2', ''];
const DESCRS = ["'<f4'", "'>i8'", "'|u1'", "'|b1'", "'<f2'", "'|O'", "'<U3'", "'V8'", "'<i16'", "[('a', '<f4')]", "'<f4", 'None', "'\\x00'"];
const HEADER_EDITS: readonly ((header: string, rng: Rng) => string)[] = [
  (h, rng) => h.replace(/\d+/, pick(SHAPE_NUMBERS, rng)),
  (h, rng) => h.replace(/\(([^)]*)\)/, (_, inner: string) => `(${inner}${pick(SHAPE_NUMBERS, rng)}, )`),
  (h, rng) => h.replace(/'descr': '[^']*'/, `'descr': ${pick(DESCRS, rng)}`),
  (h, rng) => h.replace(pick(["'fortran_order': False", "'shape'", "'descr'", ', }', '{', '}'], rng), pick(['', "'fortran_order': 1", "'extra': 1", '{{', "'shape': [2, 3]", "'shape': (2, 3)"], rng)),
  (h, rng) => {
    const at = rng.nextInt(h.length + 1);
    return h.slice(0, at) + pick(["'", '"', '(', ')', ',', ':', '\\', '{', '}', ' ', '\n', 'True', 'é'], rng) + h.slice(at);
  },
];

/** Splits a version-1 .npy file into its header text and data, edits the text and reassembles it. */
export function mutateNpyFields(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; what: string } {
  const headerLength = bytes[8] | (bytes[9] << 8);
  const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
  const data = bytes.subarray(10 + headerLength);
  const r = rng.nextInt(10);
  if (r === 0) {
    // The length field alone.
    const out = Uint8Array.from(bytes);
    const v = pick([0, 1, 0xffff, headerLength + 1, headerLength - 1], rng);
    out[8] = v & 0xff;
    out[9] = v >> 8;
    return { bytes: out, what: `header length field ${v}` };
  }
  if (r === 1) {
    const out = Uint8Array.from(bytes);
    out[6] = pick([0, 1, 2, 3, 4, 255], rng);
    out[7] = pick([0, 1], rng);
    return { bytes: out, what: `version ${out[6]}.${out[7]}` };
  }
  const edited = pick(HEADER_EDITS, rng)(header, rng);
  const text = Buffer.from(edited, 'latin1');
  const out = new Uint8Array(10 + text.length + data.length);
  out.set(bytes.subarray(0, 8));
  out[8] = text.length & 0xff;
  out[9] = (text.length >> 8) & 0xff;
  out.set(text, 10);
  out.set(data, 10 + text.length);
  return { bytes: out, what: `header ${JSON.stringify(edited.trim())}` };
}
