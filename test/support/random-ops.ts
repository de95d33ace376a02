/**
 * Random op configurations (shapes + attributes) shared by the gradient tests and the reference-interpreter
 * tests. Sizes stay small: finite differences evaluate the forward twice per element.
 */
import { Attribute, intAttr, intsAttr, stringAttr } from '../../src/core/onnx/ir';
import { windowGeometry, windowOutputSize } from '../../src/core/onnx/conv-geometry';
import { pooledSize } from '../../src/core/ops/reference/pool';
import { Rng } from './random';

export interface ConvConfig {
  readonly x: number[];
  readonly w: number[];
  /** Bias length, or undefined for no bias. */
  readonly bias: number | undefined;
  readonly group: number;
  readonly attrs: Record<string, Attribute>;
  readonly describe: string;
}

const span = (k: number, d: number): number => (k - 1) * d + 1;
const fill = (n: number, f: () => number): number[] => Array.from({ length: n }, f);

function describe(parts: Record<string, unknown>): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
    .join(' ');
}

/** Conv with 1–3 spatial axes, group, stride, dilation, explicit or automatic pads, optional bias. */
export function randomConv(rng: Rng, options: { spatialRank?: number; group?: number; stride?: number } = {}): ConvConfig {
  const r = options.spatialRank ?? rng.pick([1, 2, 2, 2, 3]);
  const group = options.group ?? rng.pick([1, 1, 2, 3]);
  const channelsPerGroup = rng.int(1, 2);
  const mapsPerGroup = rng.int(1, 2);
  const small = r === 3;
  const kernel = fill(r, () => rng.int(1, small ? 2 : 3));
  const strides = fill(r, () => options.stride ?? rng.int(1, small ? 1 : 3));
  const autoPad = rng.pick(['NOTSET', 'NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
  // onnxruntime rejects dilations together with SAME_* auto_pad.
  const dilations = fill(r, () => (small || autoPad.startsWith('SAME') ? 1 : rng.int(1, 2)));
  const pads = fill(2 * r, () => 0).map((_, i) => rng.int(0, Math.min(2, span(kernel[i % r], dilations[i % r]) - 1)));
  const spatial = kernel.map((k, i) => span(k, dilations[i]) + rng.int(0, small ? 1 : 4));
  const attrs: Record<string, Attribute> = {
    kernel_shape: intsAttr(kernel),
    strides: intsAttr(strides),
    dilations: intsAttr(dilations),
    group: intAttr(group),
    ...(autoPad === 'NOTSET' ? { pads: intsAttr(pads) } : { auto_pad: stringAttr(autoPad) }),
  };
  const x = [rng.int(1, 2), channelsPerGroup * group, ...spatial];
  const bias = rng.bool() ? mapsPerGroup * group : undefined;
  return {
    x,
    w: [mapsPerGroup * group, channelsPerGroup, ...kernel],
    bias,
    group,
    attrs,
    describe: describe({ x, kernel, strides, dilations, group, ...(autoPad === 'NOTSET' ? { pads } : { autoPad }), bias: bias !== undefined }),
  };
}

/** ConvTranspose with 1–2 spatial axes, group, stride, dilation, pads and output_padding (< stride). */
export function randomConvTranspose(rng: Rng, options: { group?: number } = {}): ConvConfig {
  for (;;) {
    const r = rng.pick([1, 2, 2]);
    const group = options.group ?? rng.pick([1, 1, 2]);
    const channelsPerGroup = rng.int(1, 2);
    const mapsPerGroup = rng.int(1, 2);
    const kernel = fill(r, () => rng.int(1, 3));
    const strides = fill(r, () => rng.int(1, 3));
    const dilations = fill(r, () => rng.int(1, 2));
    const pads = fill(2 * r, () => 0).map((_, i) => rng.int(0, span(kernel[i % r], dilations[i % r]) - 1));
    const outputPadding = strides.map((s) => rng.int(0, s - 1));
    const spatial = fill(r, () => rng.int(1, 4));
    const out = spatial.map((n, i) => strides[i] * (n - 1) + outputPadding[i] + span(kernel[i], dilations[i]) - pads[i] - pads[i + r]);
    if (out.some((n) => n < 1)) continue;
    const x = [rng.int(1, 2), channelsPerGroup * group, ...spatial];
    const bias = rng.bool() ? mapsPerGroup * group : undefined;
    return {
      x,
      w: [channelsPerGroup * group, mapsPerGroup, ...kernel],
      bias,
      group,
      attrs: {
        kernel_shape: intsAttr(kernel),
        strides: intsAttr(strides),
        dilations: intsAttr(dilations),
        pads: intsAttr(pads),
        output_padding: intsAttr(outputPadding),
        group: intAttr(group),
      },
      describe: describe({ x, kernel, strides, dilations, pads, outputPadding, group, bias: bias !== undefined }),
    };
  }
}

export interface PoolConfig {
  readonly x: number[];
  readonly attrs: Record<string, Attribute>;
  readonly describe: string;
}

/**
 * MaxPool / AveragePool with 1–2 spatial axes, stride, pads (< kernel), ceil_mode; dilations for MaxPool,
 * count_include_pad for AveragePool. Every window holds at least one real element, and ceil_mode never yields a
 * window that starts in the end padding (ONNX drops those, the project's shape inference does not).
 */
export function randomPool(rng: Rng, op: 'MaxPool' | 'AveragePool'): PoolConfig {
  for (;;) {
    const r = rng.pick([1, 2, 2]);
    const strides = fill(r, () => rng.int(1, 3));
    const autoPad = rng.pick(['NOTSET', 'NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
    const same = autoPad.startsWith('SAME');
    // onnxruntime's SAME_* pools: sized ceil(size / stride) whatever ceil_mode says, no dilations, and a kernel
    // smaller than the stride gives negative pads (an error, or shifted windows) where ONNX clamps them to 0.
    const kernel = strides.map((s) => rng.int(same ? s : 1, 3));
    const dilations = fill(r, () => (op === 'MaxPool' && !same ? rng.int(1, 2) : 1));
    const pads = fill(2 * r, () => 0).map((_, i) => rng.int(0, kernel[i % r] - 1));
    const ceilMode = !same && rng.bool() ? 1 : 0;
    const spatial = kernel.map((k, i) => span(k, dilations[i]) + rng.int(0, 4));
    const attrs: Record<string, Attribute> = {
      kernel_shape: intsAttr(kernel),
      strides: intsAttr(strides),
      ...(autoPad === 'NOTSET' ? { pads: intsAttr(pads) } : { auto_pad: stringAttr(autoPad) }),
      ceil_mode: intAttr(ceilMode),
      ...(op === 'MaxPool' ? { dilations: intsAttr(dilations) } : { count_include_pad: intAttr(rng.int(0, 1)) }),
    };
    const x = [rng.int(1, 2), rng.int(1, 3), ...spatial];
    const node = { name: 'probe', opType: op, domain: '', inputs: [], outputs: [], attributes: attrs };
    const geom = windowGeometry(node, spatial, kernel);
    const size = windowOutputSize(geom, spatial);
    if (pooledSize(geom, spatial).some((n, i) => n !== size[i])) continue;
    const everyWindowReal = size.every((outSize, axis) =>
      fill(outSize, () => 0).every((_, o) =>
        fill(kernel[axis], () => 0).some((_, j) => {
          const at = o * strides[axis] - geom.pads[axis] + j * dilations[axis];
          return at >= 0 && at < spatial[axis];
        }),
      ),
    );
    if (!everyWindowReal) continue;
    const padding = autoPad === 'NOTSET' ? { pads } : { autoPad };
    return { x, attrs, describe: describe({ x, kernel, strides, ...padding, ...(op === 'MaxPool' ? { dilations } : {}), ceilMode, attrs: Object.keys(attrs).join('/') }) };
  }
}

/** Two shapes that broadcast (ranks 0–4, dims 1–4, random singleton axes and missing leading axes). */
export function randomBroadcastPair(rng: Rng): [number[], number[]] {
  const rank = rng.int(1, 4);
  const full = fill(rank, () => rng.int(1, 4));
  const operand = (): number[] => {
    const r = rng.pick([rank, rank, rank - 1, 0].filter((v) => v >= 0));
    return full.slice(rank - r).map((d) => (rng.bool(0.3) ? 1 : d));
  };
  return [operand(), operand()];
}

/** Batch shapes for MatMul operands that broadcast against each other (each possibly absent). */
export function randomBatchPair(rng: Rng): [number[], number[]] {
  const rank = rng.int(0, 2);
  const full = fill(rank, () => rng.int(2, 3));
  const operand = (): number[] => full.slice(rng.int(0, rank)).map((d) => (rng.bool(0.3) ? 1 : d));
  return [operand(), operand()];
}

/** A random shape with `rank` axes of 1–`max`. */
export function randomShape(rng: Rng, rank: number, max = 4): number[] {
  return fill(rank, () => rng.int(1, max));
}

/** A random factorisation of `total` into `parts` dims. */
export function factorise(rng: Rng, total: number, parts: number): number[] {
  const dims = new Array<number>(parts).fill(1);
  let rest = total;
  for (let p = 2; rest > 1; ) {
    if (rest % p === 0) {
      dims[rng.int(0, parts - 1)] *= p;
      rest /= p;
    } else p++;
  }
  return dims;
}
