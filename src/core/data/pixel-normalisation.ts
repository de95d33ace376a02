/**
 * Per-channel normalisation of user images, (v / divisor − mean[c]) / std[c], with divisor 255 for 8-bit
 * pixels and 1 for floats, written out in NCHW order whatever the source layout. The default mean = std = 0.5
 * maps [0, 1] to [−1, 1], as the MNIST variants do.
 */
import { DatasetError } from './errors';
import { ImageLayout } from './image-layout';

export interface NormalizeOptions {
  /** One value per channel, or a single value for all channels. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export const DEFAULT_NORMALIZE: NormalizeOptions = { mean: [0.5], std: [0.5] };

/** Mean and std with exactly one entry per channel. */
export interface ChannelNormalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Checks the options against the channel count and broadcasts single values; `source` names the data in errors. */
export function resolveNormalisation(options: NormalizeOptions | undefined, channels: number, source: string): ChannelNormalisation {
  const { mean, std } = options ?? DEFAULT_NORMALIZE;
  const perChannel = (values: readonly number[], what: 'mean' | 'std'): number[] => {
    if (!Array.isArray(values) || (values.length !== 1 && values.length !== channels)) {
      throw new DatasetError(source, `normalize.${what}: expected 1 or ${channels} value(s) (one per channel), got ${Array.isArray(values) ? values.length : typeof values}`);
    }
    values.forEach((v, c) => {
      if (!Number.isFinite(v) || (what === 'std' && v <= 0)) {
        throw new DatasetError(source, `normalize.${what}[${c}]: expected a finite number${what === 'std' ? ' > 0' : ''}, got ${v}`);
      }
    });
    return Array.from({ length: channels }, (_, c) => values[values.length === 1 ? 0 : c]);
  };
  return { mean: perChannel(mean, 'mean'), std: perChannel(std, 'std') };
}

export interface PixelSource {
  /** count samples stored in `layout`; element i is a pixel value before scaling. */
  readonly values: ArrayLike<number>;
  readonly layout: ImageLayout;
  readonly count: number;
  /** [C, H, W] of one sample. */
  readonly dims: readonly [number, number, number];
  /** 255 for 8-bit pixels, 1 for floats. */
  readonly divisor: number;
}

/** Writes the normalised samples, NCHW, into `out` from `outOffset` on. */
export function normalisePixels(source: PixelSource, norm: ChannelNormalisation, out: Float32Array, outOffset = 0): void {
  const { values, layout, count, dims, divisor } = source;
  const [channels, height, width] = dims;
  const plane = height * width;
  const sample = channels * plane;
  for (let n = 0; n < count; n++) {
    const base = n * sample;
    for (let c = 0; c < channels; c++) {
      const mean = norm.mean[c];
      const std = norm.std[c];
      const target = outOffset + base + c * plane;
      for (let p = 0; p < plane; p++) {
        // NHWC keeps a pixel's channels together: element (p, c) of the sample sits at p·C + c.
        const from = layout === 'NCHW' ? base + c * plane + p : base + p * channels + c;
        out[target + p] = (values[from] / divisor - mean) / std;
      }
    }
  }
}
