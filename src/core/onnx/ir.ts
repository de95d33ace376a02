/**
 * The engine's small, typed ONNX graph IR. Pure data: no protobuf types leak past reader/writer.
 * Tensors are stored as flat row-major typed arrays with explicit dims.
 */

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'float16';

export type TensorArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorArray;
}

/** A dimension is a known size, a symbolic name (e.g. "batch"), or unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[] | null;
}

export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensor'; readonly value: Tensor };

export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** Empty string marks an omitted optional input, as in ONNX. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  /** Graph inputs that are not initializers (the data the caller feeds). */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  /** Intermediate value infos carried by the file or produced by shape inference. */
  readonly valueInfo: ReadonlyMap<string, ValueInfo>;
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface Model {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: Graph;
  readonly metadata: Readonly<Record<string, string>>;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function makeTensor(dtype: DType, dims: readonly number[], data: TensorArray): Tensor {
  if (data.length !== elementCount(dims)) {
    throw new Error(`tensor data has ${data.length} elements but dims [${dims.join(', ')}] need ${elementCount(dims)}`);
  }
  return { dtype, dims: [...dims], data };
}

export function floatTensor(dims: readonly number[], data: ArrayLike<number>): Tensor {
  return makeTensor('float32', dims, Float32Array.from(data));
}

export function int64Tensor(dims: readonly number[], data: readonly number[]): Tensor {
  return makeTensor('int64', dims, BigInt64Array.from(data.map((v) => BigInt(v))));
}

export function defaultOpset(model: Model): number {
  const imp = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return imp?.version ?? 0;
}

/** Attribute accessors with defaults; throw a clear error on a type mismatch. */
export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'int') throw attrTypeError(node, name, 'int', a.type);
  return a.value;
}

export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type === 'float' || a.type === 'int') return a.value;
  throw attrTypeError(node, name, 'float', a.type);
}

export function attrInts(node: Node, name: string): readonly number[] | undefined {
  const a = node.attributes[name];
  if (a === undefined) return undefined;
  if (a.type !== 'ints') throw attrTypeError(node, name, 'ints', a.type);
  return a.value;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'string') throw attrTypeError(node, name, 'string', a.type);
  return a.value;
}

function attrTypeError(node: Node, name: string, expected: string, got: string): Error {
  return new Error(`node '${node.name}' (${node.opType}): attribute '${name}' should be ${expected}, found ${got}`);
}

export const intAttr = (value: number): Attribute => ({ type: 'int', value });
export const floatAttr = (value: number): Attribute => ({ type: 'float', value });
export const intsAttr = (value: readonly number[]): Attribute => ({ type: 'ints', value: [...value] });
export const stringAttr = (value: string): Attribute => ({ type: 'string', value });
