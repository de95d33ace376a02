/**
 * One decoded image made ready for the step, in the decoding worker (decode-worker.ts) rather than on the step's
 * thread: converted, resized to the model's input size and normalised with the very functions the in-memory
 * reader uses, and digested for the data hash (sample-digest.ts), so both readers give the same floats and the
 * same hash to the bit. What is sent back, and cached, is the smallest exact form of the sample: an image already
 * at the model's size goes back as its 8-bit RGB (a quarter of its floats; turning it into floats is one cheap pass
 * per batch), a resized one as its normalised floats (bilinear resizing gives values between the 8-bit levels, so
 * rounding them back to 8 bits would change what the in-memory reader keeps), unless those floats would be larger
 * than its own 8-bit RGB (a small image enlarged): then that RGB goes back, and the step's thread resizes it.
 */
import { resizeBilinear } from '../bilinear-resize';
import { DecodedImage } from '../image-decode';
import { ImageChannels, rgbaToPlanes } from '../image-planes';
import { ChannelNormalisation, normalisePixels } from '../pixel-normalisation';
import { sampleDigest } from './sample-digest';

/** The sample the model takes: [C, H, W] and each channel's mean and std. */
export interface SampleTarget {
  readonly dims: readonly [number, number, number];
  readonly norm: ChannelNormalisation;
}

/** A sample as a worker sends it; digest is the SHA-256 of its normalised C×H×W floats; rgb is the image at its own size. */
export type PreparedImage =
  | { readonly kind: 'rgb'; readonly rgb: Uint8Array<ArrayBuffer>; readonly width: number; readonly height: number; readonly digest: Uint8Array<ArrayBuffer> }
  | { readonly kind: 'normalised'; readonly values: Float32Array<ArrayBuffer>; readonly digest: Uint8Array<ArrayBuffer> };

export function prepareImage(image: DecodedImage, target: SampleTarget): PreparedImage {
  const { dims, norm } = target;
  const [channels, height, width] = dims;
  const planes = rgbaToPlanes(image.rgba, image.width, image.height, channels as ImageChannels);
  const resized = resizeBilinear({ data: planes, channels, height: image.height, width: image.width }, height, width);
  const values = new Float32Array(channels * height * width);
  normalisePixels({ values: resized, layout: 'NCHW', count: 1, dims, divisor: 1 }, norm, values, 0);
  const digest = sampleDigest(values);
  const resizedAndSmaller = (image.height !== height || image.width !== width) && values.byteLength <= 3 * image.width * image.height;
  if (resizedAndSmaller) return { kind: 'normalised', values, digest };
  return { kind: 'rgb', rgb: dropAlpha(image.rgba), width: image.width, height: image.height, digest };
}

/**
 * Writes prepared samples normalised, C×H×W, into out from offset on: the floats prepareImage digested. Floats are
 * copied; 8-bit RGB at the model's size is converted in one pass that gives rgbaToPlanes-then-normalisePixels'
 * floats to the bit: an RGB channel has 256 values, each normalised once into a table with the planes' float32
 * rounding of v / 255, and grey takes the same two roundings per pixel.
 */
export function preparedWriter(target: SampleTarget): (prepared: PreparedImage, out: Float32Array, offset: number) => void {
  const [channels, height, width] = target.dims;
  const writeRgb = channels === 1 ? greyWriter(height * width, target.norm) : rgbWriter(channels, height * width, target.norm);
  return (prepared, out, offset) => {
    if (prepared.kind === 'normalised') out.set(prepared.values, offset);
    else if (prepared.width === width && prepared.height === height) writeRgb(prepared.rgb, out, offset);
    else {
      // Enlarged: the in-memory reader's steps as they are.
      const planes = rgbaToPlanes(prepared.rgb, prepared.width, prepared.height, channels as ImageChannels, 3);
      const resized = resizeBilinear({ data: planes, channels, height: prepared.height, width: prepared.width }, height, width);
      normalisePixels({ values: resized, layout: 'NCHW', count: 1, dims: target.dims, divisor: 1 }, target.norm, out, offset);
    }
  };
}

type RgbWriter = (rgb: Uint8Array, out: Float32Array, offset: number) => void;

function rgbWriter(channels: number, plane: number, { mean, std }: ChannelNormalisation): RgbWriter {
  const tables = Array.from({ length: channels }, (_, c) => Float32Array.from({ length: 256 }, (_, v) => (Math.fround(v / 255) - mean[c]) / std[c]));
  return (rgb, out, offset) => {
    for (let c = 0; c < channels; c++) {
      const table = tables[c];
      const start = offset + c * plane;
      for (let p = 0, q = c; p < plane; p++, q += 3) out[start + p] = table[rgb[q]];
    }
  };
}

function greyWriter(plane: number, norm: ChannelNormalisation): RgbWriter {
  const [mean] = norm.mean;
  const [std] = norm.std;
  return (rgb, out, offset) => {
    for (let p = 0, q = 0; p < plane; p++, q += 3) out[offset + p] = (Math.fround((299 * rgb[q] + 587 * rgb[q + 1] + 114 * rgb[q + 2]) / 255000) - mean) / std;
  };
}

/** Bytes the prepared sample holds (what the cache counts). */
export function preparedBytes(prepared: PreparedImage): number {
  return (prepared.kind === 'rgb' ? prepared.rgb.byteLength : prepared.values.byteLength) + prepared.digest.byteLength;
}

function dropAlpha(rgba: Uint8Array): Uint8Array<ArrayBuffer> {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    rgb[p] = rgba[q];
    rgb[p + 1] = rgba[q + 1];
    rgb[p + 2] = rgba[q + 2];
  }
  return rgb;
}
