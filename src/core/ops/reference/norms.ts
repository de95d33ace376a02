/**
 * LayerNormalization, GroupNormalization and InstanceNormalization: each normalises contiguous blocks of X (the
 * trailing axes from `axis`; a group's channels × spatial; one channel's spatial positions) by their own mean
 * and biased variance, then applies a scale and bias. Statistics are two-pass float64.
 */
import { attrFloat, attrInt } from '../../onnx/ir';
import { OpImpl, RefTensor, broadcastIndex, normalizeAxis, refTensor, required, sizeOf } from './tensor';

interface Moments {
  readonly y: RefTensor;
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

/**
 * Normalise `rows` consecutive blocks of `length` values of x; `affine(row, at)` gives the scale and bias of
 * position `at` of block `row`.
 */
function normalizeBlocks(x: RefTensor, rows: number, length: number, epsilon: number, affine: (row: number, at: number) => readonly [number, number]): Moments {
  const y = refTensor(x.dims);
  const mean = new Float64Array(rows);
  const invStd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * length;
    let sum = 0;
    for (let i = 0; i < length; i++) sum += x.data[base + i];
    const m = sum / length;
    let squares = 0;
    for (let i = 0; i < length; i++) squares += (x.data[base + i] - m) ** 2;
    const inv = 1 / Math.sqrt(squares / length + epsilon);
    mean[r] = m;
    invStd[r] = inv;
    for (let i = 0; i < length; i++) {
      const [scale, bias] = affine(r, i);
      y.data[base + i] = (x.data[base + i] - m) * inv * scale + bias;
    }
  }
  return { y, mean, invStd };
}

/** Opset 17: normalise over axes [axis, rank); Scale and B broadcast to X's shape from `axis` on. */
export const layerNormalization: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const scale = required(node, inputs, 1);
  const bias = inputs[2];
  const axis = normalizeAxis(attrInt(node, 'axis', -1), x.dims.length);
  const normalized = x.dims.slice(axis);
  const length = sizeOf(normalized);
  const scaleAt = broadcastIndex(scale.dims, normalized);
  const biasAt = bias ? broadcastIndex(bias.dims, normalized) : undefined;
  const { y, mean, invStd } = normalizeBlocks(x, sizeOf(x.dims.slice(0, axis)), length, attrFloat(node, 'epsilon', 1e-5), (_, at) => [
    scale.data[scaleAt[at]],
    bias && biasAt ? bias.data[biasAt[at]] : 0,
  ]);
  const statsDims = [...x.dims.slice(0, axis), ...normalized.map(() => 1)];
  return [y, { dims: statsDims, data: mean }, { dims: statsDims, data: invStd }];
};

/**
 * X [N, C, spatial…] in `num_groups` groups of C/G consecutive channels. Scale and bias hold one value per
 * group (length G, opset 18) or per channel (length C, opset 21); where G = C the two agree.
 */
export const groupNormalization: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const scale = required(node, inputs, 1);
  const bias = required(node, inputs, 2);
  const [batch, channels] = x.dims;
  const groups = attrInt(node, 'num_groups', 0);
  const area = sizeOf(x.dims.slice(2));
  const perGroup = channels / groups;
  const perChannel = scale.data.length === channels;
  return [
    normalizeBlocks(x, batch * groups, perGroup * area, attrFloat(node, 'epsilon', 1e-5), (row, at) => {
      const g = row % groups;
      const k = perChannel ? g * perGroup + Math.floor(at / area) : g;
      return [scale.data[k], bias.data[k]];
    }).y,
  ];
};

/** Each (n, c) plane normalised over its spatial positions; scale and B are per channel. */
export const instanceNormalization: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const scale = required(node, inputs, 1);
  const bias = required(node, inputs, 2);
  const [batch, channels] = x.dims;
  const area = sizeOf(x.dims.slice(2));
  return [normalizeBlocks(x, batch * channels, area, attrFloat(node, 'epsilon', 1e-5), (row) => [scale.data[row % channels], bias.data[row % channels]]).y];
};
