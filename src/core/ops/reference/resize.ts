/** Resize (nearest and linear), one axis at a time: the per-axis maps of src/core/ops/resize-geometry.ts. */
import { AxisMap, resizePlan } from '../resize-geometry';
import { OpImpl, RefTensor, refTensor, required, sizeOf } from './tensor';

/** `t` with axis `axis` replaced by the map's outputs: y[…, o, …] = Σ_k weight(o, k)·t[…, tap(o, k), …]. */
export function applyAxisMap(t: RefTensor, axis: number, map: AxisMap): RefTensor {
  const outer = sizeOf(t.dims.slice(0, axis));
  const inner = sizeOf(t.dims.slice(axis + 1));
  const dims = [...t.dims];
  dims[axis] = map.outSize;
  const y = refTensor(dims);
  for (let a = 0; a < outer; a++) {
    for (let o = 0; o < map.outSize; o++) {
      const to = (a * map.outSize + o) * inner;
      for (let k = 0; k < map.width; k++) {
        const from = (a * map.inSize + map.taps[o * map.width + k]) * inner;
        const w = map.weights[o * map.width + k];
        for (let i = 0; i < inner; i++) y.data[to + i] += w * t.data[from + i];
      }
    }
  }
  return y;
}

export const resize: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const plan = resizePlan(node, x.dims, (i) => {
    const t = inputs[i];
    return t && t.data.length > 0 ? Array.from(t.data) : undefined;
  });
  let y = x;
  plan.axes.forEach((map, axis) => {
    if (map) y = applyAxisMap(y, axis, map);
  });
  return [y === x ? refTensor(x.dims, x.data) : y];
};
