/** 8-bit RGBA (or RGB) pixels to planar [0, 1] floats: RGB (alpha dropped, as PIL's convert('RGB') does) or grey. */

export type ImageChannels = 1 | 3;

/**
 * C×H×W floats in [0, 1]; grey is the ITU-R 601-2 luma PIL's convert('L') uses: (299 R + 587 G + 114 B) / 1000.
 * pixelStride 3 reads RGB without alpha (the streamed datasets cache decoded images that way, a quarter smaller).
 */
export function rgbaToPlanes(rgba: Uint8Array, width: number, height: number, channels: ImageChannels, pixelStride: 3 | 4 = 4): Float32Array {
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    const r = rgba[pixelStride * p];
    const g = rgba[pixelStride * p + 1];
    const b = rgba[pixelStride * p + 2];
    if (channels === 1) {
      out[p] = (299 * r + 587 * g + 114 * b) / 255000;
    } else {
      out[p] = r / 255;
      out[plane + p] = g / 255;
      out[2 * plane + p] = b / 255;
    }
  }
  return out;
}
