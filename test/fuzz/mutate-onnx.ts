/**
 * Field-level mutations of an ONNX model: decode it, change one field the way a broken exporter or a hostile
 * file would (versions, dims, data types, data lengths, external-data entries, node wiring, attributes, value
 * infos), and encode it again — so the mutant gets past the protobuf decoder and reaches the validation.
 */
import { onnx } from '../../src/core/onnx/proto';
import type { Rng } from '../../src/core/data/random';
import { pick } from './mutate-bytes';

type Model = onnx.IModelProto & { graph: onnx.IGraphProto };

const HOSTILE_INTS = [0, -1, 1, 3, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 40, 2 ** 53 - 1, -(2 ** 31)];
const HOSTILE_STRINGS = ['', 'ghost', '/etc/passwd', '../../secret.bin', 'C:\\Windows\\win.ini', '.', 'sub/../../x', 'a\u0000b', '1e309', '-5', 'NaN', '99999999999999999999'];
const OPS = ['Conv', 'Relu', 'Gemm', 'MatMul', 'Add', 'Flatten', 'Reshape', 'Concat', 'Transpose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'Softmax', 'Gelu', 'If', 'Loop', ''];
/** Ops whose output size is read from values in the file, and those that compute such values from shapes. */
const SHAPE_OPS = ['Shape', 'Size', 'Range', 'Reshape', 'Expand', 'ConstantOfShape', 'Gather', 'Squeeze', 'Unsqueeze', 'Tile'];

function int64Tensor(name: string, values: readonly number[], dims: readonly number[] = [values.length]): onnx.ITensorProto {
  return { name, dataType: onnx.TensorProto.DataType.INT64, dims: [...dims], rawData: new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v)))).buffer) };
}

/**
 * A node replaced by the shape arithmetic an exporter emits around it, with hostile values where the file gives
 * sizes: a computed view(x.size(k), rest), or a Range / ConstantOfShape / Expand / Tile asking for a size.
 */
function shapeArithmetic(m: Model, rng: Rng): string {
  const all = nodes(m);
  const n = pick(all, rng);
  const x = (n.input ?? [])[0];
  const out = (n.output ?? [])[0];
  if (!x || !out) return `node ${n.name}: nothing to replace`;
  const hostile = (): number => (rng.nextInt(3) === 0 ? pick(HOSTILE_INTS, rng) : rng.nextInt(5) - 1);
  const p = `${n.name}.fuzz`;
  const kind = pick(['view', 'range', 'constant-of-shape', 'expand', 'tile', 'squeeze'] as const, rng);
  const replacement: onnx.INodeProto[] = [];
  const constants: onnx.ITensorProto[] = [];
  if (kind === 'view') {
    replacement.push(
      { name: `${p}.shape`, opType: 'Shape', input: [x], output: [`${p}.shape`] },
      { name: `${p}.gather`, opType: 'Gather', input: [`${p}.shape`, `${p}.index`], output: [`${p}.size`] },
      { name: `${p}.unsqueeze`, opType: 'Unsqueeze', input: [`${p}.size`, `${p}.axes`], output: [`${p}.batch`] },
      { name: `${p}.concat`, opType: 'Concat', input: [`${p}.batch`, `${p}.rest`], output: [`${p}.target`], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { name: n.name, opType: 'Reshape', input: [x, `${p}.target`], output: [out] },
    );
    constants.push(int64Tensor(`${p}.index`, [rng.nextInt(2) ? 0 : hostile()], []), int64Tensor(`${p}.axes`, [rng.nextInt(4) ? 0 : hostile()]), int64Tensor(`${p}.rest`, [rng.nextInt(2) ? -1 : hostile()]));
  } else if (kind === 'range') {
    replacement.push(
      { name: `${p}.range`, opType: 'Range', input: [`${p}.start`, `${p}.limit`, `${p}.delta`], output: [`${p}.range`] },
      { name: n.name, opType: 'Reshape', input: [x, `${p}.range`], output: [out] },
    );
    constants.push(int64Tensor(`${p}.start`, [hostile()], []), int64Tensor(`${p}.limit`, [hostile()], []), int64Tensor(`${p}.delta`, [hostile()], []));
  } else if (kind === 'constant-of-shape') {
    replacement.push(
      { name: `${p}.fill`, opType: 'ConstantOfShape', input: [`${p}.dims`], output: [`${p}.fill`] },
      { name: n.name, opType: 'Add', input: [x, `${p}.fill`], output: [out] },
    );
    constants.push(int64Tensor(`${p}.dims`, Array.from({ length: 1 + rng.nextInt(4) }, hostile)));
  } else {
    const op = kind === 'expand' ? 'Expand' : kind === 'tile' ? 'Tile' : pick(['Squeeze', 'Unsqueeze'], rng);
    replacement.push({ name: n.name, opType: op, input: [x, `${p}.values`], output: [out] });
    constants.push(int64Tensor(`${p}.values`, Array.from({ length: rng.nextInt(6) }, hostile)));
  }
  const at = all.indexOf(n);
  m.graph.node = [...all.slice(0, at), ...replacement, ...all.slice(at + 1)];
  m.graph.initializer = [...tensors(m), ...constants];
  return `node ${n.name} replaced by ${kind} with [${constants.map((c) => c.dims).join('; ')}]`;
}

function tensors(m: Model): onnx.ITensorProto[] {
  return m.graph.initializer ?? [];
}

function nodes(m: Model): onnx.INodeProto[] {
  return m.graph.node ?? [];
}

function names(m: Model): string[] {
  return [...nodes(m).flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]), ...tensors(m).map((t) => t.name ?? '')];
}

const MUTATIONS: readonly ((m: Model, rng: Rng) => string)[] = [
  (m, rng) => `irVersion = ${(m.irVersion = pick([0, 2, 3, 11, 12, -1, 2 ** 40], rng))}`,
  (m, rng) => {
    const v = pick([0, 10, 11, 21, 22, -5, 2 ** 33], rng);
    m.opsetImport = rng.nextInt(4) === 0 ? [] : [{ domain: pick(['', 'ai.onnx', 'com.example'], rng), version: v }];
    return `opset ${JSON.stringify(m.opsetImport)}`;
  },
  (m, rng) => {
    const t = pick(tensors(m), rng);
    const dims = [...(t.dims ?? [])] as number[];
    const r = rng.nextInt(3);
    if (r === 0 && dims.length > 0) dims[rng.nextInt(dims.length)] = pick(HOSTILE_INTS, rng);
    else if (r === 1) dims.push(pick(HOSTILE_INTS, rng));
    else dims.pop();
    t.dims = dims;
    return `initializer ${t.name} dims [${dims}]`;
  },
  (m, rng) => {
    const t = pick(tensors(m), rng);
    t.dataType = pick([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 16, 100, -1], rng);
    return `initializer ${t.name} dataType ${t.dataType}`;
  },
  (m, rng) => {
    const t = pick(tensors(m), rng);
    const raw = t.rawData ?? new Uint8Array();
    const r = rng.nextInt(3);
    t.rawData = r === 0 ? raw.slice(0, rng.nextInt(raw.length + 1)) : r === 1 ? new Uint8Array() : Uint8Array.from([...raw, ...new Uint8Array(1 + rng.nextInt(9))]);
    if (r === 1 && rng.nextInt(2) === 0) t.floatData = Array.from({ length: rng.nextInt(5) }, () => rng.nextNormal());
    return `initializer ${t.name} raw data of ${t.rawData.length} bytes`;
  },
  (m, rng) => {
    const t = pick(tensors(m), rng);
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    const keys = ['location', 'offset', 'length', 'checksum', ''];
    t.externalData = Array.from({ length: rng.nextInt(4) }, () => ({ key: pick(keys, rng), value: rng.nextInt(2) ? pick(HOSTILE_STRINGS, rng) : String(pick(HOSTILE_INTS, rng)) }));
    return `initializer ${t.name} external ${JSON.stringify(t.externalData)}`;
  },
  (m, rng) => {
    const n = pick(nodes(m), rng);
    n.opType = pick(rng.nextInt(3) === 0 ? SHAPE_OPS : OPS, rng);
    return `node ${n.name} op ${n.opType}`;
  },
  shapeArithmetic,
  shapeArithmetic,
  (m, rng) => {
    const n = pick(nodes(m), rng);
    const inputs = [...(n.input ?? [])];
    const value = rng.nextInt(3) === 0 ? pick(['', 'ghost'], rng) : pick(names(m), rng);
    if (inputs.length === 0 || rng.nextInt(4) === 0) inputs.push(value);
    else inputs[rng.nextInt(inputs.length)] = value;
    n.input = inputs;
    return `node ${n.name} inputs [${inputs}]`;
  },
  (m, rng) => {
    const n = pick(nodes(m), rng);
    n.output = [pick([...names(m), '', 'fresh'], rng)];
    return `node ${n.name} outputs [${n.output}]`;
  },
  (m, rng) => {
    const all = nodes(m);
    const i = rng.nextInt(all.length);
    if (rng.nextInt(2) === 0) all.splice(i, 1);
    else all.splice(rng.nextInt(all.length + 1), 0, { ...all[i] });
    return `node ${i} removed or repeated`;
  },
  (m, rng) => {
    const n = pick(nodes(m), rng);
    const T = onnx.AttributeProto.AttributeType;
    const name = pick(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'axis', 'transA', 'transB', 'perm', 'alpha', 'value', 'ceil_mode', 'epsilon', 'axes', 'start', 'end', 'allowzero'], rng);
    const type = pick([T.INT, T.INTS, T.FLOAT, T.FLOATS, T.STRING, T.TENSOR, T.GRAPH, 0, 99], rng);
    const ints = Array.from({ length: rng.nextInt(5) }, () => pick(HOSTILE_INTS, rng));
    const attribute: onnx.IAttributeProto = { name, type, i: pick(HOSTILE_INTS, rng), ints, f: rng.nextNormal() * 1e6, floats: [Number.NaN, 1], s: new Uint8Array([0xff]) };
    if (type === T.TENSOR) attribute.t = { dataType: pick([1, 7, 8, 0], rng), dims: ints, rawData: new Uint8Array(rng.nextInt(16)) };
    n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== name), attribute];
    return `node ${n.name} attribute ${name} type ${type} ints [${ints}]`;
  },
  (m, rng) => {
    const list = rng.nextInt(2) === 0 ? (m.graph.input ?? []) : (m.graph.output ?? []);
    if (list.length === 0) return 'no value info to change';
    const v = pick(list, rng);
    const r = rng.nextInt(4);
    if (r === 0) list.splice(list.indexOf(v), 1);
    else if (r === 1) v.type = { tensorType: { elemType: pick([0, 1, 7, 8, 100], rng), shape: v.type?.tensorType?.shape } };
    else if (r === 2) v.type = { tensorType: { elemType: 1, shape: { dim: Array.from({ length: rng.nextInt(6) }, () => (rng.nextInt(3) === 0 ? { dimParam: 'n' } : { dimValue: pick(HOSTILE_INTS, rng) })) } } };
    else v.type = { sequenceType: { elemType: { tensorType: { elemType: 1 } } } };
    return `value ${v.name} changed (${r})`;
  },
  (m, rng) => {
    m.metadataProps = [{ key: pick(['bise.normalize', 'x'], rng), value: pick(['{"mean":[1e309],"std":[0]}', '{', 'null', '{"mean":[],"std":[]}', '[]'], rng) }];
    return `metadata ${JSON.stringify(m.metadataProps)}`;
  },
];

/** Decodes `bytes`, applies one to three field mutations, and encodes the result. */
export function mutateOnnxFields(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; what: string } {
  const m = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, bytes: Uint8Array as unknown as typeof String, defaults: false, arrays: true }) as Model;
  const steps: string[] = [];
  const n = 1 + rng.nextInt(3);
  for (let k = 0; k < n; k++) steps.push(pick(MUTATIONS, rng)(m, rng));
  return { bytes: onnx.ModelProto.encode(m).finish(), what: steps.join('; ') };
}
