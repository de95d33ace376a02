/**
 * Where the channel axis of an image array is: NCHW (PyTorch) or NHWC (TensorFlow, PIL stacks). Without an
 * explicit layout it is detected from which axis has 1 or 3 entries; an [N, H, W] array is one channel.
 */
import { DatasetError } from './errors';
import { formatShape } from './npy';

export type ImageLayout = 'NCHW' | 'NHWC';

export interface ImageShape {
  readonly count: number;
  /** [C, H, W] of one sample, whatever the stored layout. */
  readonly dims: readonly [number, number, number];
  readonly layout: ImageLayout;
}

/** Reads the sample count, [C, H, W] and layout of an image array's shape; `file` names it in errors. */
export function imageShape(shape: readonly number[], file: string, layout?: ImageLayout): ImageShape {
  if (layout !== undefined && layout !== 'NCHW' && layout !== 'NHWC') {
    throw new DatasetError(file, `layout: expected 'NCHW' or 'NHWC', got '${String(layout)}'`);
  }
  if (shape.length === 3) {
    const [count, height, width] = shape as [number, number, number];
    // One channel: NCHW and NHWC are the same bytes.
    return checked({ count, dims: [1, height, width], layout: layout ?? 'NCHW' }, shape, file);
  }
  if (shape.length !== 4) {
    throw new DatasetError(file, `x: expected images of shape (N, C, H, W), (N, H, W, C) or (N, H, W), got ${formatShape(shape)}`);
  }
  const [count, a, b, c] = shape as [number, number, number, number];
  const resolved = layout ?? detectLayout(shape, file);
  const dims: [number, number, number] = resolved === 'NCHW' ? [a, b, c] : [c, a, b];
  return checked({ count, dims, layout: resolved }, shape, file);
}

function detectLayout(shape: readonly number[], file: string): ImageLayout {
  const channelsFirst = shape[1] === 1 || shape[1] === 3;
  const channelsLast = shape[3] === 1 || shape[3] === 3;
  if (channelsFirst && channelsLast) {
    throw new DatasetError(file, `x: shape ${formatShape(shape)} could be NCHW or NHWC (axes 1 and 3 both look like 1 or 3 channels): pass options.layout`);
  }
  if (!channelsFirst && !channelsLast) {
    throw new DatasetError(file, `x: shape ${formatShape(shape)}: expected 1 or 3 channels on axis 1 (NCHW) or axis 3 (NHWC); pass options.layout for other channel counts`);
  }
  return channelsFirst ? 'NCHW' : 'NHWC';
}

function checked(result: ImageShape, shape: readonly number[], file: string): ImageShape {
  if (result.dims.some((d) => d < 1)) throw new DatasetError(file, `x: expected channels, height and width ≥ 1, got shape ${formatShape(shape)}`);
  return result;
}
