/**
 * Bilinear resizing of planar images with half-pixel centres: output pixel (i, j) samples the input at
 * ((i + ½)·H/H' − ½, (j + ½)·W/W' − ½), clamped to the image. This is torch.nn.functional.interpolate(mode=
 * 'bilinear', align_corners=False, antialias=False) and OpenCV's INTER_LINEAR, so sizes match what models
 * trained with those pipelines saw. No antialiasing: strong downscaling skips pixels rather than averaging them.
 */

export interface PlanarImage {
  /** channels × height × width, row-major planes. */
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Resizes every channel to outHeight × outWidth; returns the input's data itself when the size is unchanged. */
export function resizeBilinear(image: PlanarImage, outHeight: number, outWidth: number): Float32Array {
  const { data, channels, height, width } = image;
  if (!Number.isInteger(outHeight) || !Number.isInteger(outWidth) || outHeight < 1 || outWidth < 1) {
    throw new RangeError(`resizeBilinear: expected a positive integer output size, got ${outHeight}×${outWidth}`);
  }
  if (data.length !== channels * height * width) {
    throw new RangeError(`resizeBilinear: expected ${channels}×${height}×${width} = ${channels * height * width} values, got ${data.length}`);
  }
  if (outHeight === height && outWidth === width) return data;
  const rows = sampleAxis(height, outHeight);
  const cols = sampleAxis(width, outWidth);
  const out = new Float32Array(channels * outHeight * outWidth);
  for (let c = 0; c < channels; c++) {
    const src = c * height * width;
    const dst = c * outHeight * outWidth;
    for (let i = 0; i < outHeight; i++) {
      const top = src + rows.low[i] * width;
      const bottom = src + rows.high[i] * width;
      const fy = rows.fraction[i];
      for (let j = 0; j < outWidth; j++) {
        const fx = cols.fraction[j];
        const upper = data[top + cols.low[j]] * (1 - fx) + data[top + cols.high[j]] * fx;
        const lower = data[bottom + cols.low[j]] * (1 - fx) + data[bottom + cols.high[j]] * fx;
        out[dst + i * outWidth + j] = upper * (1 - fy) + lower * fy;
      }
    }
  }
  return out;
}

interface AxisSamples {
  readonly low: Int32Array;
  readonly high: Int32Array;
  /** Weight of `high`; `low` gets 1 − fraction. */
  readonly fraction: Float64Array;
}

/** Where each output coordinate falls between two input pixels along one axis. */
function sampleAxis(inSize: number, outSize: number): AxisSamples {
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const fraction = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const position = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    low[o] = Math.floor(position);
    high[o] = Math.min(low[o] + 1, inSize - 1);
    fraction[o] = position - low[o];
  }
  return { low, high, fraction };
}
