/**
 * The images of a .npy file as a sample source: the header is read once, each sample's bytes are read at
 * their offset when needed (cached as stored: uint8 pixels stay uint8) and normalised per batch with the
 * in-memory reader's own function, so both give the same floats to the bit.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { DatasetError } from '../errors';
import { ImageShape } from '../image-layout';
import { NPY_MAX_PREFIX_BYTES, NpyLayout, decodeNpyData, parseNpyLayout } from '../npy';
import { requireFiniteValues } from '../npy-folder';
import { ChannelNormalisation, normalisePixels } from '../pixel-normalisation';
import { SampleSource } from './sample-stream';

/** The file's dtype, shape and data offset, from its first bytes only. */
export function readNpyLayout(file: string): NpyLayout & { readonly fileBytes: number } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const fileBytes = statSync(file).size;
    const prefix = new Uint8Array(Math.min(fileBytes, NPY_MAX_PREFIX_BYTES));
    readSync(fd, prefix, 0, prefix.length, 0);
    return { ...parseNpyLayout(prefix, fileBytes, file), fileBytes };
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(file, `could not read the .npy file (${(err as Error).message})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function npySource(file: string, layout: NpyLayout, shape: ImageShape, norm: ChannelNormalisation): SampleSource<Uint8Array> {
  const { dims } = shape;
  const { dtype } = layout;
  const values = dims[0] * dims[1] * dims[2];
  const sampleBytes = values * dtype.itemSize;
  return {
    name: file,
    count: shape.count,
    dims,
    load(samples) {
      // One handle per load (a batch), closed once its reads are done: nothing stays open between batches.
      const handle = open(file, 'r');
      const reads = samples.map(async (sample) => {
        const bytes = new Uint8Array(sampleBytes);
        try {
          const { bytesRead } = await (await handle).read(bytes, 0, sampleBytes, layout.dataStart + sample * sampleBytes);
          if (bytesRead !== sampleBytes) throw new Error(`the file ends inside the sample (${bytesRead} of ${sampleBytes} bytes): was it changed since it was opened?`);
        } catch (err) {
          throw new DatasetError(file, `could not read the sample (${(err as Error).message})`, sample);
        }
        return bytes;
      });
      void Promise.allSettled([handle, ...reads]).then(() => handle.then((h) => h.close()).catch(() => undefined));
      return reads;
    },
    sizeOf: (raw) => raw.byteLength,
    normalise(raw, sample, out, offset) {
      const data = decodeNpyData(raw, dtype, values);
      if (dtype.name !== 'u1') requireFiniteValues(data as Float32Array | Float64Array, dims, file, sample);
      normalisePixels({ values: data as ArrayLike<number>, layout: shape.layout, count: 1, dims, divisor: dtype.name === 'u1' ? 255 : 1 }, norm, out, offset);
    },
    // Reads go straight to the file system's thread pool and are short; there is no queue of ours to drop.
    cancelQueued: () => undefined,
    close: async () => undefined,
  };
}
