/** Byte-level mutations for the fuzz tests: flips, truncations, insertions, deletions, splices of interesting values. */
import type { Rng } from '../../src/core/data/random';

/** Values that tend to break length and count fields. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x22, 0x2c];

export type ByteMutation = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; what: string };

const flip: ByteMutation = (b, rng) => {
  const out = Uint8Array.from(b);
  const n = 1 + rng.nextInt(8);
  for (let k = 0; k < n && out.length > 0; k++) out[rng.nextInt(out.length)] ^= 1 << rng.nextInt(8);
  return { bytes: out, what: `${n} bit flips` };
};

const setInteresting: ByteMutation = (b, rng) => {
  const out = Uint8Array.from(b);
  if (out.length === 0) return { bytes: out, what: 'nothing to set' };
  const at = rng.nextInt(out.length);
  const run = 1 + rng.nextInt(4);
  const v = INTERESTING[rng.nextInt(INTERESTING.length)];
  out.fill(v, at, Math.min(out.length, at + run));
  return { bytes: out, what: `${run} bytes at ${at} set to ${v}` };
};

const truncate: ByteMutation = (b, rng) => {
  const at = rng.nextInt(b.length + 1);
  return { bytes: b.slice(0, at), what: `truncated to ${at} bytes` };
};

const insert: ByteMutation = (b, rng) => {
  const at = rng.nextInt(b.length + 1);
  const extra = Uint8Array.from({ length: 1 + rng.nextInt(16) }, () => rng.nextInt(256));
  const out = new Uint8Array(b.length + extra.length);
  out.set(b.subarray(0, at));
  out.set(extra, at);
  out.set(b.subarray(at), at + extra.length);
  return { bytes: out, what: `${extra.length} random bytes inserted at ${at}` };
};

const remove: ByteMutation = (b, rng) => {
  const at = rng.nextInt(b.length + 1);
  const len = Math.min(b.length - at, 1 + rng.nextInt(32));
  const out = new Uint8Array(b.length - len);
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + len), at);
  return { bytes: out, what: `${len} bytes removed at ${at}` };
};

const duplicate: ByteMutation = (b, rng) => {
  const at = rng.nextInt(b.length + 1);
  const len = Math.min(b.length - at, 1 + rng.nextInt(64));
  const out = new Uint8Array(b.length + len);
  out.set(b.subarray(0, at + len));
  out.set(b.subarray(at, at + len), at + len);
  out.set(b.subarray(at + len), at + 2 * len);
  return { bytes: out, what: `${len} bytes at ${at} repeated` };
};

export const BYTE_MUTATIONS: readonly ByteMutation[] = [flip, flip, setInteresting, truncate, insert, remove, duplicate];

/** One to three byte mutations in a row. */
export function mutateBytes(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; what: string } {
  let current = bytes;
  const steps: string[] = [];
  const n = 1 + rng.nextInt(3);
  for (let k = 0; k < n; k++) {
    const r = BYTE_MUTATIONS[rng.nextInt(BYTE_MUTATIONS.length)](current, rng);
    current = r.bytes;
    steps.push(r.what);
  }
  return { bytes: current, what: steps.join(', then ') };
}

export function pick<T>(items: readonly T[], rng: Rng): T {
  return items[rng.nextInt(items.length)];
}
