/** Gemm and MatMul (numpy semantics: batch broadcasting, 1-D operands promoted and the added axis dropped). */
import { attrFloat, attrInt } from '../../onnx/ir';
import { OpImpl, broadcastDims, broadcastIndex, refTensor, required, sizeOf } from './tensor';

export const gemm: OpImpl = (node, inputs) => {
  const a = required(node, inputs, 0);
  const b = required(node, inputs, 1);
  const transA = attrInt(node, 'transA', 0) === 1;
  const transB = attrInt(node, 'transB', 0) === 1;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const [m, k] = transA ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
  const n = transB ? b.dims[0] : b.dims[1];
  const aAt = (i: number, p: number): number => (transA ? a.data[p * m + i] : a.data[i * k + p]);
  const bAt = (p: number, j: number): number => (transB ? b.data[j * k + p] : b.data[p * n + j]);
  const y = refTensor([m, n]);
  const c = inputs[2];
  const cIndex = c ? broadcastIndex(c.dims, [m, n]) : undefined;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += aAt(i, p) * bAt(p, j);
      y.data[i * n + j] = alpha * acc + (c && cIndex ? beta * c.data[cIndex[i * n + j]] : 0);
    }
  }
  return [y];
};

export const matMul: OpImpl = (node, inputs) => {
  const a0 = required(node, inputs, 0);
  const b0 = required(node, inputs, 1);
  if (a0.dims.length === 0 || b0.dims.length === 0) throw new Error(`reference interpreter: node '${node.name}' (MatMul): scalar operands do not multiply`);
  // numpy: a 1-D A is a row [1, k], a 1-D B a column [k, 1]; the added axis is dropped from the result.
  const a = a0.dims.length === 1 ? { dims: [1, a0.dims[0]], data: a0.data } : a0;
  const b = b0.dims.length === 1 ? { dims: [b0.dims[0], 1], data: b0.data } : b0;
  const [m, k] = a.dims.slice(-2);
  const [k2, n] = b.dims.slice(-2);
  if (k !== k2) throw new Error(`reference interpreter: node '${node.name}' (MatMul): inner dimensions ${k} and ${k2} differ`);
  const batch = broadcastDims([a.dims.slice(0, -2), b.dims.slice(0, -2)]);
  // Broadcast the batch index of each operand; every batch entry is one contiguous m×k (k×n) matrix.
  const aBatch = broadcastIndex(a.dims.slice(0, -2), batch);
  const bBatch = broadcastIndex(b.dims.slice(0, -2), batch);
  const y = refTensor([...batch, m, n]);
  for (let t = 0; t < sizeOf(batch); t++) {
    const aBase = aBatch[t] * m * k;
    const bBase = bBatch[t] * k * n;
    const yBase = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a.data[aBase + i * k + p] * b.data[bBase + p * n + j];
        y.data[yBase + i * n + j] = acc;
      }
    }
  }
  const dims = [...batch, ...(a0.dims.length === 1 ? [] : [m]), ...(b0.dims.length === 1 ? [] : [n])];
  return [{ dims, data: y.data }];
};
