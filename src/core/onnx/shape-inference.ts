/**
 * Static shape inference for the supported ops, for a concrete input shape (the engine builds graphs per batch
 * size, so every tensor has known dims). Unsupported op -> error naming op and node.
 */
import { Graph, Node, Tensor, attrInt, attrInts } from './ir';
import { windowGeometry, windowOutputSize } from './conv-geometry';
import { ENGINE_OP_SHAPES } from './engine-op-shapes';
import { OnnxModelError } from './errors';

export type ShapeMap = Map<string, readonly number[]>;

type ShapeRule = (node: Node, inShapes: ReadonlyArray<readonly number[] | undefined>, constants: ReadonlyMap<string, Tensor>) => number[][];

export function broadcastShapes(a: readonly number[], b: readonly number[], where: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${where}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

function need(s: readonly number[] | undefined, node: Node, i: number): readonly number[] {
  if (!s) throw new Error(`node '${node.name}' (${node.opType}): shape of input ${i} ('${node.inputs[i]}') is unknown`);
  return s;
}

const same: ShapeRule = (n, s) => [[...need(s[0], n, 0)]];

const elementwise: ShapeRule = (n, s) => [broadcastShapes(need(s[0], n, 0), need(s[1], n, 1), `node '${n.name}' (${n.opType})`)];

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function int64Values(t: Tensor): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}

const RULES: Readonly<Record<string, ShapeRule>> = {
  Identity: same,
  Relu: same,
  LeakyRelu: same,
  Sigmoid: same,
  Tanh: same,
  Clip: same,
  Softmax: same,
  BatchNormalization: same,
  Dropout: (n, s) => [[...need(s[0], n, 0)], [...need(s[0], n, 0)]],
  Add: elementwise,
  Sub: elementwise,
  Mul: elementwise,
  Div: elementwise,
  Conv: (n, s) => {
    const x = need(s[0], n, 0);
    const w = need(s[1], n, 1);
    const geom = windowGeometry(n, x.slice(2), w.slice(2));
    return [[x[0], w[0], ...windowOutputSize(geom, x.slice(2))]];
  },
  ConvTranspose: (n, s) => {
    const x = need(s[0], n, 0);
    const w = need(s[1], n, 1);
    const group = attrInt(n, 'group', 1);
    const r = x.length - 2;
    const strides = attrInts(n, 'strides') ?? new Array<number>(r).fill(1);
    const dil = attrInts(n, 'dilations') ?? new Array<number>(r).fill(1);
    const pads = attrInts(n, 'pads') ?? new Array<number>(2 * r).fill(0);
    const outPad = attrInts(n, 'output_padding') ?? new Array<number>(r).fill(0);
    const explicit = attrInts(n, 'output_shape');
    if (explicit) return [[x[0], w[1] * group, ...explicit]];
    const spatial = x.slice(2).map((d, i) => strides[i] * (d - 1) + outPad[i] + (w[2 + i] - 1) * dil[i] + 1 - pads[i] - pads[i + r]);
    return [[x[0], w[1] * group, ...spatial]];
  },
  MaxPool: (n, s) => {
    const x = need(s[0], n, 0);
    const geom = windowGeometry(n, x.slice(2), attrInts(n, 'kernel_shape') ?? []);
    const out = [x[0], x[1], ...windowOutputSize(geom, x.slice(2))];
    return [out, [...out]];
  },
  AveragePool: (n, s) => {
    const x = need(s[0], n, 0);
    const geom = windowGeometry(n, x.slice(2), attrInts(n, 'kernel_shape') ?? []);
    return [[x[0], x[1], ...windowOutputSize(geom, x.slice(2))]];
  },
  GlobalAveragePool: (n, s) => {
    const x = need(s[0], n, 0);
    return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
  },
  Gemm: (n, s) => {
    const a = need(s[0], n, 0);
    const b = need(s[1], n, 1);
    const m = attrInt(n, 'transA', 0) ? a[1] : a[0];
    const k = attrInt(n, 'transB', 0) ? b[0] : b[1];
    return [[m, k]];
  },
  MatMul: (n, s) => {
    const a = need(s[0], n, 0);
    const b = need(s[1], n, 1);
    if (a.length < 2 || b.length < 2) throw new Error(`node '${n.name}' (MatMul): 1-D operands are not supported`);
    const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), `node '${n.name}' (MatMul)`);
    return [[...batch, a[a.length - 2], b[b.length - 1]]];
  },
  Flatten: (n, s) => {
    const x = need(s[0], n, 0);
    const axis = normAxis(attrInt(n, 'axis', 1), x.length);
    const lead = x.slice(0, axis).reduce((p, q) => p * q, 1);
    return [[lead, x.slice(axis).reduce((p, q) => p * q, 1)]];
  },
  Reshape: (n, s, constants) => {
    const x = need(s[0], n, 0);
    const shapeT = constants.get(n.inputs[1]);
    if (!shapeT) throw new Error(`node '${n.name}' (Reshape): the target shape '${n.inputs[1]}' must be a constant`);
    const target = int64Values(shapeT);
    const allowZero = attrInt(n, 'allowzero', 0) === 1;
    const out = target.map((d, i) => (d === 0 && !allowZero ? x[i] : d));
    const total = x.reduce((p, q) => p * q, 1);
    const known = out.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
    const resolved = out.map((d) => (d === -1 ? total / known : d));
    if (resolved.reduce((p, q) => p * q, 1) !== total) {
      throw new Error(`node '${n.name}' (Reshape): cannot reshape [${x.join(', ')}] to [${target.join(', ')}]`);
    }
    return [resolved];
  },
  Transpose: (n, s) => {
    const x = need(s[0], n, 0);
    const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
    return [perm.map((p) => x[p])];
  },
  Concat: (n, s) => {
    const shapes = n.inputs.map((_, i) => need(s[i], n, i));
    const axis = normAxis(attrInt(n, 'axis', 0), shapes[0].length);
    const out = [...shapes[0]];
    out[axis] = shapes.reduce((acc, sh) => acc + sh[axis], 0);
    return [out];
  },
  Constant: (n) => {
    const a = n.attributes.value;
    if (!a || a.type !== 'tensor') throw new Error(`node '${n.name}' (Constant): only the 'value' tensor attribute is supported`);
    return [[...a.value.dims]];
  },
};

export const SUPPORTED_OPS: readonly string[] = Object.keys(RULES);

/**
 * Throws an error naming the first unsupported op and its node (and the file, when `file` is given, as an
 * OnnxModelError).
 */
export function checkSupported(graph: Graph, file?: string): void {
  for (const n of graph.nodes) {
    if (n.domain !== '' || !(n.opType in RULES)) {
      const detail = `uses op '${n.domain ? n.domain + '.' : ''}${n.opType}', which is not supported (supported: ${SUPPORTED_OPS.join(', ')})`;
      if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
      throw new Error(`node '${n.name}' ${detail}`);
    }
  }
}

/**
 * Infer every tensor's shape for concrete input shapes (`inputShapes` maps graph input names to dims; inputs
 * not listed must have fully numeric declared shapes).
 */
export function inferShapes(graph: Graph, inputShapes: ReadonlyMap<string, readonly number[]> = new Map()): ShapeMap {
  const shapes: ShapeMap = new Map();
  for (const [name, t] of graph.initializers) shapes.set(name, t.dims);
  for (const v of graph.inputs) {
    const given = inputShapes.get(v.name);
    if (given) shapes.set(v.name, given);
    else if (v.shape && v.shape.every((d) => typeof d === 'number')) shapes.set(v.name, v.shape as number[]);
    else throw new Error(`graph input '${v.name}' has a symbolic shape [${(v.shape ?? []).join(', ')}]; give a concrete shape`);
  }
  const constants = new Map(graph.initializers);
  for (const n of graph.nodes) {
    const rule = RULES[n.opType] ?? ENGINE_OP_SHAPES[n.opType];
    if (!rule || n.domain !== '') throw new Error(`node '${n.name}' uses op '${n.opType}', which is not supported`);
    const outs = rule(n, n.inputs.map((i) => (i === '' ? undefined : shapes.get(i))), constants);
    n.outputs.forEach((o, i) => o && outs[i] && shapes.set(o, outs[i]));
    if (n.opType === 'Constant') {
      const a = n.attributes.value;
      if (a?.type === 'tensor') constants.set(n.outputs[0], a.value);
    }
  }
  return shapes;
}
