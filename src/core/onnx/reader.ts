/** Read an ONNX file into the IR, validating what later stages rely on. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx, toNumber } from './proto';
import { Attribute, Dim, Graph, Model, Node, Tensor, ValueInfo } from './ir';
import { OnnxModelError } from './errors';
import { BYTES_PER_ELEMENT, checkedDims, dataTypeName, decodeTensor, dtypeFromProto } from './tensor-codec';
import { externalRef, isExternal, readExternal } from './external-data';
import { sortTopologically } from './topology';
import { checkFiniteWeights } from './finite-weights';

export const MIN_IR_VERSION = 3;
export const MAX_IR_VERSION = 11;
export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

export interface ReadOptions {
  /** Folder that external-data locations are resolved in (default: the model file's folder). */
  readonly baseDir?: string;
}

export function readModelFile(file: string, options: ReadOptions = {}): Model {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new OnnxModelError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseModel(bytes, file, options.baseDir ?? path.dirname(file));
}

/** `label` names the source in errors; `baseDir` is where external data may live (none if undefined). */
export function parseModel(bytes: Uint8Array, label: string, baseDir?: string): Model {
  if (bytes.length === 0) throw new OnnxModelError(label, 'is empty, not an ONNX model');
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxModelError(label, `is not a valid ONNX protobuf (${(e as Error).message}); is the file truncated or another format?`);
  }
  const irVersion = toNumber(proto.irVersion ?? 0);
  if (irVersion < MIN_IR_VERSION || irVersion > MAX_IR_VERSION) {
    throw new OnnxModelError(label, `has IR version ${irVersion}; versions ${MIN_IR_VERSION} to ${MAX_IR_VERSION} are supported`);
  }
  const opsetImports = (proto.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version ?? 0) }));
  const main = opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!main) throw new OnnxModelError(label, 'imports no default ONNX opset');
  if (main.version < MIN_OPSET || main.version > MAX_OPSET) {
    throw new OnnxModelError(label, `uses opset ${main.version}; opsets ${MIN_OPSET} to ${MAX_OPSET} are supported (re-export the model, e.g. torch.onnx.export(..., opset_version=17))`);
  }
  if (!proto.graph) throw new OnnxModelError(label, 'has no graph');
  const graph = readGraph(proto.graph, label, baseDir);
  const metadata: Record<string, string> = {};
  for (const e of proto.metadataProps ?? []) metadata[e.key ?? ''] = e.value ?? '';
  return {
    irVersion,
    opsetImports,
    producerName: proto.producerName ?? '',
    producerVersion: proto.producerVersion ?? '',
    graph,
    metadata,
  };
}

function readGraph(g: onnx.IGraphProto, label: string, baseDir: string | undefined): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new OnnxModelError(label, 'has an initializer without a name');
    if (initializers.has(name)) throw new OnnxModelError(label, `has two initializers named '${name}'`);
    initializers.set(name, readTensor(t, `initializer '${name}'`, label, baseDir));
  }
  if ((g.sparseInitializer ?? []).length > 0) throw new OnnxModelError(label, 'uses sparse initializers, which are not supported');

  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => readValueInfo(v, label));
  const outputs = (g.output ?? []).map((v) => readValueInfo(v, label));
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of g.valueInfo ?? []) {
    const info = readValueInfo(v, label);
    valueInfo.set(info.name, info);
  }
  // Declared initializer shapes in graph.input must agree with the data.
  for (const v of g.input ?? []) {
    const t = initializers.get(v.name ?? '');
    if (!t) continue;
    const declared = readValueInfo(v, label).shape;
    if (declared && (declared.length !== t.dims.length || declared.some((d, i) => typeof d === 'number' && d !== t.dims[i]))) {
      throw new OnnxModelError(label, `initializer '${v.name}' has shape [${t.dims.join(', ')}] but the graph declares [${declared.join(', ')}]`);
    }
  }
  if (inputs.length === 0) throw new OnnxModelError(label, 'has no graph input to feed data into');
  if (outputs.length === 0) throw new OnnxModelError(label, 'has no graph output');

  const nodes = (g.node ?? []).map((n, i) => readNode(n, i, label, baseDir));
  const defined = new Set<string>([...inputs.map((v) => v.name), ...initializers.keys()]);
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (defined.has(o)) throw new OnnxModelError(label, `tensor '${o}' is defined twice (duplicate name)`, n.name);
      defined.add(o);
    }
  }
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (i !== '' && !defined.has(i)) throw new OnnxModelError(label, `input '${i}' is produced by no node, initializer or graph input`, n.name);
    }
  }
  for (const o of outputs) {
    if (!defined.has(o.name)) throw new OnnxModelError(label, `graph output '${o.name}' is produced by no node`);
  }
  let sorted: Node[];
  try {
    sorted = sortTopologically(nodes);
  } catch (e) {
    throw new OnnxModelError(label, (e as Error).message);
  }
  checkFiniteWeights({ nodes, initializers }, label);
  return { name: g.name ?? 'graph', nodes: sorted, inputs, outputs, initializers, valueInfo };
}

function readTensor(t: onnx.ITensorProto, what: string, label: string, baseDir: string | undefined): Tensor {
  try {
    if (isExternal(t)) {
      if (baseDir === undefined) throw new Error(`${what}: uses external data, but the model was not read from a file`);
      const code = t.dataType ?? 0;
      const dtype = dtypeFromProto(code);
      if (!dtype) throw new Error(`${what}: data type ${dataTypeName(code)} is not supported`);
      const n = checkedDims(t.dims ?? [], what).reduce((a, b) => a * b, 1);
      const bytes = readExternal(baseDir, externalRef(t, what), n * BYTES_PER_ELEMENT[dtype], what);
      return decodeTensor(t, what, bytes);
    }
    return decodeTensor(t, what);
  } catch (e) {
    if (e instanceof OnnxModelError) throw e;
    throw new OnnxModelError(label, (e as Error).message, undefined, e);
  }
}

function readValueInfo(v: onnx.IValueInfoProto, label: string): ValueInfo {
  const name = v.name ?? '';
  const tensorType = v.type?.tensorType;
  if (!tensorType) throw new OnnxModelError(label, `value '${name}' is not a tensor (sequences and maps are not supported)`);
  const code = tensorType.elemType ?? 0;
  const dtype = dtypeFromProto(code);
  if (!dtype) throw new OnnxModelError(label, `value '${name}' has element type ${dataTypeName(code)}, which is not supported`);
  const shape: Dim[] | null = tensorType.shape
    ? (tensorType.shape.dim ?? []).map((d) => {
        const which = (d as onnx.TensorShapeProto.Dimension).value; // protobufjs's oneof discriminator
        if (which === 'dimValue') {
          const n = toNumber(d.dimValue);
          if (!Number.isSafeInteger(n) || n < 0) throw new OnnxModelError(label, `value '${name}' declares an invalid dimension ${n}`);
          return n;
        }
        return which === 'dimParam' && d.dimParam ? d.dimParam : null;
      })
    : null;
  return { name, dtype, shape };
}

function readNode(n: onnx.INodeProto, index: number, label: string, baseDir: string | undefined): Node {
  const name = n.name || `${n.opType ?? 'node'}_${index}`;
  const attributes: Record<string, Attribute> = {};
  for (const a of n.attribute ?? []) {
    attributes[a.name ?? ''] = readAttribute(a, name, label, baseDir);
  }
  return {
    name,
    opType: n.opType ?? '',
    domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes,
  };
}

function readAttribute(a: onnx.IAttributeProto, node: string, label: string, baseDir: string | undefined): Attribute {
  const T = onnx.AttributeProto.AttributeType;
  const dec = new TextDecoder();
  switch (a.type) {
    case T.INT: return { type: 'int', value: toNumber(a.i ?? 0) };
    case T.FLOAT: return { type: 'float', value: a.f ?? 0 };
    case T.STRING: return { type: 'string', value: dec.decode(a.s ?? new Uint8Array()) };
    case T.INTS: return { type: 'ints', value: (a.ints ?? []).map(toNumber) };
    case T.FLOATS: return { type: 'floats', value: [...(a.floats ?? [])] };
    case T.STRINGS: return { type: 'strings', value: (a.strings ?? []).map((s) => dec.decode(s)) };
    case T.TENSOR:
      if (!a.t) throw new OnnxModelError(label, `attribute '${a.name}' has no tensor`, node);
      return { type: 'tensor', value: readTensor(a.t, `attribute '${a.name}'`, label, baseDir) };
    default:
      throw new OnnxModelError(label, `attribute '${a.name}' has type ${a.type}, which is not supported (subgraphs are not supported)`, node);
  }
}
