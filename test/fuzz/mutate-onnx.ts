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
    n.opType = pick(OPS, rng);
    return `node ${n.name} op ${n.opType}`;
  },
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
    const name = pick(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'axis', 'transA', 'transB', 'perm', 'alpha', 'value', 'ceil_mode', 'epsilon'], rng);
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
