/**
 * External-data tensors: bytes stored beside the model. Locations are resolved only inside the model's folder
 * (no absolute paths, no `..` escapes, no symlinks pointing out), and sizes are checked before reading.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx, toNumber } from './proto';

export interface ExternalRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number | undefined;
}

export function externalRef(p: onnx.ITensorProto, what: string): ExternalRef {
  const entries = new Map((p.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new Error(`${what}: external data has no 'location'`);
  const offset = entries.has('offset') ? Number(entries.get('offset')) : 0;
  const length = entries.has('length') ? Number(entries.get('length')) : undefined;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`${what}: external data offset '${entries.get('offset')}' is not a valid byte offset`);
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new Error(`${what}: external data length '${entries.get('length')}' is not a valid byte count`);
  }
  return { location, offset, length };
}

/** Resolve `location` against the model folder, refusing anything that leaves it. */
export function resolveInside(modelDir: string, location: string, what: string): string {
  if (path.isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location)) {
    throw new Error(`${what}: external data location '${location}' is absolute; only paths inside the model's folder are read`);
  }
  const root = fs.realpathSync(modelDir);
  const candidate = path.resolve(root, location);
  if (!isInside(root, candidate)) {
    throw new Error(`${what}: external data location '${location}' leaves the model's folder; only paths inside it are read`);
  }
  if (!fs.existsSync(candidate)) throw new Error(`${what}: external data file '${location}' does not exist next to the model`);
  const real = fs.realpathSync(candidate);
  if (!isInside(root, real)) {
    throw new Error(`${what}: external data file '${location}' is a link that leaves the model's folder`);
  }
  return real;
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function readExternal(modelDir: string, ref: ExternalRef, bytesNeeded: number, what: string): Uint8Array {
  const file = resolveInside(modelDir, ref.location, what);
  const length = ref.length ?? bytesNeeded;
  if (length !== bytesNeeded) {
    throw new Error(`${what}: external data length ${length} does not match the ${bytesNeeded} bytes its shape needs`);
  }
  const size = fs.statSync(file).size;
  if (ref.offset + length > size) {
    throw new Error(`${what}: external data wants bytes ${ref.offset}..${ref.offset + length} of '${ref.location}', which has only ${size}`);
  }
  const out = new Uint8Array(length);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, out, done, length - done, ref.offset + done);
      if (n <= 0) throw new Error(`${what}: external data file '${ref.location}' ended early`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

export function isExternal(p: onnx.ITensorProto): boolean {
  return toNumber(p.dataLocation ?? 0) === onnx.TensorProto.DataLocation.EXTERNAL;
}
