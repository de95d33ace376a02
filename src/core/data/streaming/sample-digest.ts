/**
 * The SHA-256 of one normalised sample's float32 bytes: what the data hash (dataset-hash.ts) is made of, computed
 * by this one function wherever the sample is normalised (in memory, on the main thread, in a decoding worker).
 */
import { createHash } from 'node:crypto';

/** 32 bytes in a buffer of their own (not Node's shared pool), so a worker can transfer it. */
export function sampleDigest(values: Float32Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest());
}
