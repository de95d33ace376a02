/** MaxPool (with the Indices output), AveragePool (onnxruntime's divisor convention), GlobalAveragePool and GlobalMaxPool. */
import { attrInt, attrInts } from '../../onnx/ir';
import { WindowGeometry, windowGeometry, windowOutputSize } from '../../onnx/conv-geometry';
import { OpImpl, refTensor, required, sizeOf } from './tensor';
import { windowTable } from './window';

/**
 * Pooled size as ONNX defines it (and onnxruntime computes it): with ceil_mode, a last window that would start in
 * the end padding is dropped.
 */
export function pooledSize(geom: WindowGeometry, spatialIn: readonly number[]): number[] {
  return windowOutputSize(geom, spatialIn).map((size, i) =>
    geom.ceilMode && (size - 1) * geom.strides[i] >= spatialIn[i] + geom.pads[i] ? size - 1 : size,
  );
}

/**
 * Indices are flat positions in the whole NCHW input (storage_order 0), as onnxruntime returns them; the first
 * maximum wins a tie.
 */
export const maxPool: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  if (attrInt(node, 'storage_order', 0) !== 0) throw new Error(`reference interpreter: node '${node.name}' (MaxPool): storage_order 1 is not implemented`);
  const [batch, channels, ...spatialIn] = x.dims;
  const kernel = attrInts(node, 'kernel_shape') ?? [];
  const geom = windowGeometry(node, spatialIn, kernel);
  const spatialOut = pooledSize(geom, spatialIn);
  const { table, taps, positions } = windowTable(spatialOut, kernel, spatialIn, geom.strides, geom.dilations, geom.pads.slice(0, kernel.length));
  const y = refTensor([batch, channels, ...spatialOut]);
  const indices = refTensor(y.dims);
  const areaIn = sizeOf(spatialIn);
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let o = 0; o < positions; o++) {
      let best = -Infinity;
      let bestAt = -1;
      for (let k = 0; k < taps; k++) {
        const at = table[o * taps + k];
        if (at >= 0 && x.data[plane * areaIn + at] > best) {
          best = x.data[plane * areaIn + at];
          bestAt = at;
        }
      }
      if (bestAt < 0) throw new Error(`reference interpreter: node '${node.name}' (MaxPool): output ${o} has an empty window`);
      y.data[plane * positions + o] = best;
      indices.data[plane * positions + o] = plane * areaIn + bestAt;
    }
  }
  return [y, indices];
};

/**
 * Per axis, onnxruntime clips a window to the padded input [−pad_begin, size + pad_end) for the
 * count_include_pad divisor and to the real input for the sum (and the default divisor).
 */
export const averagePool: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const [batch, channels, ...spatialIn] = x.dims;
  const r = spatialIn.length;
  const kernel = attrInts(node, 'kernel_shape') ?? [];
  const geom = windowGeometry(node, spatialIn, kernel);
  if (geom.dilations.some((d) => d !== 1)) throw new Error(`reference interpreter: node '${node.name}' (AveragePool): dilations are not implemented`);
  const includePad = attrInt(node, 'count_include_pad', 0) === 1;
  const spatialOut = pooledSize(geom, spatialIn);
  const factors = spatialOut.map((outSize, axis) =>
    Array.from({ length: outSize }, (_, o) => {
      const start = o * geom.strides[axis] - geom.pads[axis];
      const end = Math.min(start + kernel[axis], spatialIn[axis] + geom.pads[axis + r]);
      return includePad ? end - start : Math.min(end, spatialIn[axis]) - Math.max(start, 0);
    }),
  );
  const { table, taps, positions } = windowTable(spatialOut, kernel, spatialIn, geom.strides, geom.dilations, geom.pads.slice(0, r));
  const divisors = new Float64Array(positions);
  for (let o = 0; o < positions; o++) {
    let rest = o;
    let d = 1;
    for (let axis = r - 1; axis >= 0; axis--) {
      d *= factors[axis][rest % spatialOut[axis]];
      rest = Math.floor(rest / spatialOut[axis]);
    }
    divisors[o] = d;
  }
  const y = refTensor([batch, channels, ...spatialOut]);
  const areaIn = sizeOf(spatialIn);
  for (let plane = 0; plane < batch * channels; plane++) {
    for (let o = 0; o < positions; o++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        const at = table[o * taps + k];
        if (at >= 0) acc += x.data[plane * areaIn + at];
      }
      y.data[plane * positions + o] = acc / divisors[o];
    }
  }
  return [y];
};

export const globalAveragePool: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const [batch, channels, ...spatial] = x.dims;
  const area = sizeOf(spatial);
  const y = refTensor([batch, channels, ...spatial.map(() => 1)]);
  for (let plane = 0; plane < batch * channels; plane++) {
    let acc = 0;
    for (let p = 0; p < area; p++) acc += x.data[plane * area + p];
    y.data[plane] = acc / area;
  }
  return [y];
};

/** The maximum over the spatial positions of each (n, c) plane. */
export const globalMaxPool: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const [batch, channels, ...spatial] = x.dims;
  const area = sizeOf(spatial);
  const y = refTensor([batch, channels, ...spatial.map(() => 1)]);
  for (let plane = 0; plane < batch * channels; plane++) {
    let best = -Infinity;
    for (let p = 0; p < area; p++) best = Math.max(best, x.data[plane * area + p]);
    y.data[plane] = best;
  }
  return [y];
};
