/**
 * Static shape inference for the supported ops, for a concrete input shape (the engine builds graphs per batch
 * size, so every tensor has known dims). Unsupported op -> error naming op and node.
 */
import { Attribute, Graph, Node, attrInt, attrInts } from './ir';
import { windowGeometry, windowOutputSize } from './conv-geometry';
import { ENGINE_OP_SHAPES } from './engine-op-shapes';
import { OnnxModelError } from './errors';
import { ShapeRule } from '../ops/op';
import { ALL_OPS } from '../ops/index';
import { opDefinition } from '../ops/registry';
import { broadcastShapes, elementwise, int64Values, need, normAxis, same } from '../ops/shape-rules';

export { broadcastShapes, int64Values };

export type ShapeMap = Map<string, readonly number[]>;

const RULES: Readonly<Record<string, ShapeRule>> = {
  Identity: same,
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
    const [transA, transB] = [attrInt(n, 'transA', 0), attrInt(n, 'transB', 0)];
    if (a.length !== 2 || b.length !== 2 || (transA ? a[0] : a[1]) !== (transB ? b[1] : b[0])) {
      throw new Error(`node '${n.name}' (Gemm): A [${a.join(', ')}] and B [${b.join(', ')}] (transA ${transA}, transB ${transB}) do not multiply`);
    }
    const m = transA ? a[1] : a[0];
    const k = transB ? b[0] : b[1];
    const c = n.inputs[2] ? s[2] : undefined;
    if (c && broadcastShapes([m, k], c, `node '${n.name}' (Gemm): C`).some((d, i) => d !== [m, k][i])) {
      throw new Error(`node '${n.name}' (Gemm): C [${c.join(', ')}] does not broadcast to the output [${m}, ${k}]`);
    }
    return [[m, k]];
  },
  MatMul: (n, s) => {
    const a = need(s[0], n, 0);
    const b = need(s[1], n, 1);
    if (a.length < 2 || b.length < 2) throw new Error(`node '${n.name}' (MatMul): 1-D operands are not supported`);
    if (a[a.length - 1] !== b[b.length - 2]) throw new Error(`node '${n.name}' (MatMul): [${a.join(', ')}] and [${b.join(', ')}] do not multiply`);
    const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), `node '${n.name}' (MatMul)`);
    return [[...batch, a[a.length - 2], b[b.length - 1]]];
  },
  Flatten: (n, s) => {
    const x = need(s[0], n, 0);
    const axis = normAxis(attrInt(n, 'axis', 1), x.length, n, x.length);
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
    if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new Error(`node '${n.name}' (Transpose): perm [${perm.join(', ')}] is not a permutation of the ${x.length} axes`);
    }
    return [perm.map((p) => x[p])];
  },
  Concat: (n, s) => {
    const shapes = n.inputs.map((_, i) => need(s[i], n, i));
    const axis = normAxis(attrInt(n, 'axis', 0), shapes[0].length, n);
    if (shapes.some((sh) => sh.length !== shapes[0].length)) throw new Error(`node '${n.name}' (Concat): inputs of different ranks cannot be concatenated`);
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

/** Ops a user's model may contain (the op registry's model-scope ops, plus the legacy table until it is gone). */
export const SUPPORTED_OPS: readonly string[] = [...new Set([...Object.keys(RULES), ...ALL_OPS.filter((op) => op.scope === 'model').map((op) => op.opType)])].sort();

function modelOpSupported(n: Node): boolean {
  const def = opDefinition(n.opType, n.domain);
  if (def) return def.scope === 'model';
  return n.domain === '' && n.opType in RULES;
}

/**
 * Throws an error naming the first unsupported op and its node (and the file, when `file` is given, as an
 * OnnxModelError).
 */
export function checkSupported(graph: Graph, file?: string): void {
  for (const n of graph.nodes) {
    if (!modelOpSupported(n)) {
      const detail = `uses op '${n.domain ? n.domain + '.' : ''}${n.opType}', which is not supported (supported: ${SUPPORTED_OPS.join(', ')})`;
      if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
      throw new Error(`node '${n.name}' ${detail}`);
    }
    const signature = opDefinition(n.opType, n.domain)?.signature;
    const attributeTypes = signature ? (signature.attributes ?? {}) : ATTRIBUTE_TYPES;
    const flags = signature ? new Set(signature.flags ?? []) : FLAGS;
    for (const [name, a] of Object.entries(n.attributes)) {
      const expected = attributeTypes[name];
      if (expected !== undefined && a.type !== expected && !(name === 'value' && n.opType !== 'Constant')) {
        const detail = `attribute '${name}' should be ${expected}, found ${a.type}`;
        if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
        throw new Error(`node '${n.name}': ${detail}`);
      }
      if (flags.has(name) && a.type === 'int' && a.value !== 0 && a.value !== 1) {
        const detail = `attribute '${name}' should be 0 or 1, found ${a.value}`;
        if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
        throw new Error(`node '${n.name}': ${detail}`);
      }
    }
    const [min, max] = signature?.inputs ?? INPUT_COUNTS[n.opType] ?? [0, Infinity];
    const given = n.inputs.length;
    const outputs = n.outputs.filter((o) => o !== '').length;
    const maxOutputs = signature ? (signature.outputs ?? 1) : (OUTPUT_COUNTS[n.opType] ?? 1);
    if (given < min || given > max || outputs === 0 || outputs > maxOutputs || n.outputs[0] === '') {
      const range = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      const outRange = maxOutputs === 1 ? 'one output' : `1 to ${maxOutputs} outputs`;
      const detail = `a ${n.opType} takes ${range} input${max === 1 ? '' : 's'} and ${outRange}; this one has ${given} input${given === 1 ? '' : 's'} and ${outputs} output${outputs === 1 ? '' : 's'}`;
      if (file !== undefined) throw new OnnxModelError(file, detail, n.name);
      throw new Error(`node '${n.name}': ${detail}`);
    }
  }
}

/** The types of the attributes the supported ops read (the ONNX operator specs); others are ignored. */
const ATTRIBUTE_TYPES: Readonly<Record<string, Attribute['type']>> = {
  alpha: 'float',
  beta: 'float',
  epsilon: 'float',
  momentum: 'float',
  min: 'float',
  max: 'float',
  ratio: 'float',
  axis: 'int',
  group: 'int',
  transA: 'int',
  transB: 'int',
  ceil_mode: 'int',
  count_include_pad: 'int',
  allowzero: 'int',
  training_mode: 'int',
  kernel_shape: 'ints',
  strides: 'ints',
  pads: 'ints',
  dilations: 'ints',
  output_padding: 'ints',
  output_shape: 'ints',
  perm: 'ints',
  auto_pad: 'string',
  value: 'tensor',
};

/** Integer attributes that are flags. */
const FLAGS = new Set(['transA', 'transB', 'ceil_mode', 'count_include_pad', 'allowzero', 'training_mode']);

/** Ops with more than one output the engine handles (the rest have exactly one; training outputs are not supported). */
const OUTPUT_COUNTS: Readonly<Record<string, number>> = { Dropout: 2, MaxPool: 2 };

/** How many inputs each supported op takes (the ONNX operator specs, opsets 11–21). */
const INPUT_COUNTS: Readonly<Record<string, readonly [number, number]>> = {
  Identity: [1, 1],
  LeakyRelu: [1, 1],
  Sigmoid: [1, 1],
  Tanh: [1, 1],
  Clip: [1, 3],
  Softmax: [1, 1],
  BatchNormalization: [5, 5],
  Dropout: [1, 3],
  Add: [2, 2],
  Sub: [2, 2],
  Mul: [2, 2],
  Div: [2, 2],
  ConvTranspose: [2, 3],
  MaxPool: [1, 1],
  AveragePool: [1, 1],
  GlobalAveragePool: [1, 1],
  Gemm: [2, 3],
  MatMul: [2, 2],
  Flatten: [1, 1],
  Reshape: [2, 2],
  Transpose: [1, 1],
  Concat: [1, Infinity],
  Constant: [0, 0],
};

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
    const rule = opDefinition(n.opType, n.domain)?.shape ?? (n.domain === '' ? (RULES[n.opType] ?? ENGINE_OP_SHAPES[n.opType]) : undefined);
    if (!rule) throw new Error(`node '${n.name}' uses op '${n.opType}', which is not supported`);
    const outs = rule(n, n.inputs.map((i) => (i === '' ? undefined : shapes.get(i))), constants);
    n.outputs.forEach((o, i) => o && outs[i] && shapes.set(o, outs[i]));
    if (n.opType === 'Constant') {
      const a = n.attributes.value;
      if (a?.type === 'tensor') constants.set(n.outputs[0], a.value);
    }
  }
  return shapes;
}
