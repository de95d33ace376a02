/** TensorProto <-> Tensor conversion, including raw_data and typed fields. */
import { onnx, toNumber } from './proto';
import { DType, Tensor, TensorArray, elementCount } from './ir';

const DT = onnx.TensorProto.DataType;

const FROM_PROTO: ReadonlyMap<number, DType> = new Map<number, DType>([
  [DT.FLOAT, 'float32'],
  [DT.DOUBLE, 'float64'],
  [DT.INT64, 'int64'],
  [DT.INT32, 'int32'],
  [DT.INT8, 'int8'],
  [DT.UINT8, 'uint8'],
  [DT.BOOL, 'bool'],
  [DT.FLOAT16, 'float16'],
]);

const TO_PROTO: Readonly<Record<DType, number>> = {
  float32: DT.FLOAT,
  float64: DT.DOUBLE,
  int64: DT.INT64,
  int32: DT.INT32,
  int8: DT.INT8,
  uint8: DT.UINT8,
  bool: DT.BOOL,
  float16: DT.FLOAT16,
};

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
  float16: 2,
};

/** Refuse absurd sizes before anything is allocated (a hostile file can declare 2^40 elements). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

export function dtypeFromProto(code: number): DType | undefined {
  return FROM_PROTO.get(code);
}

export function dtypeToProto(dtype: DType): number {
  return TO_PROTO[dtype];
}

export function dataTypeName(code: number): string {
  return (DT as unknown as Record<number, string>)[code] ?? `code ${code}`;
}

export function allocate(dtype: DType, n: number): TensorArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'float16': return new Uint16Array(n);
  }
}

/** Copy little-endian bytes into a fresh, aligned typed array. */
export function fromBytes(dtype: DType, n: number, bytes: Uint8Array): TensorArray {
  const out = allocate(dtype, n);
  new Uint8Array(out.buffer).set(bytes.subarray(0, n * BYTES_PER_ELEMENT[dtype]));
  return out;
}

export function toBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

export function checkedDims(rawDims: readonly unknown[], what: string): number[] {
  const dims = rawDims.map(toNumber);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${what}: invalid dimension ${d}`);
  }
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > MAX_TENSOR_ELEMENTS) {
    throw new Error(`${what}: declared shape [${dims.join(', ')}] has ${n} elements, more than the ${MAX_TENSOR_ELEMENTS} this tool accepts`);
  }
  return dims;
}

/**
 * Decode a TensorProto whose data is embedded (raw_data or typed fields).
 * External data is resolved by the caller, which passes the bytes in `external`.
 */
export function decodeTensor(p: onnx.ITensorProto, what: string, external?: Uint8Array): Tensor {
  const code = p.dataType ?? 0;
  const dtype = dtypeFromProto(code);
  if (!dtype) throw new Error(`${what}: data type ${dataTypeName(code)} is not supported`);
  const dims = checkedDims(p.dims ?? [], what);
  const n = elementCount(dims);
  const bytesNeeded = n * BYTES_PER_ELEMENT[dtype];
  const raw = external ?? (p.rawData && p.rawData.length > 0 ? p.rawData : undefined);
  if (raw) {
    if (raw.length !== bytesNeeded) {
      throw new Error(`${what}: holds ${raw.length} bytes of data but shape [${dims.join(', ')}] of ${dtype} needs ${bytesNeeded}`);
    }
    return { dtype, dims, data: fromBytes(dtype, n, raw) };
  }
  const typed = typedField(p, dtype);
  if (typed.length !== n) {
    throw new Error(`${what}: holds ${typed.length} values but shape [${dims.join(', ')}] needs ${n}`);
  }
  // Allocated only now: the declared size is backed by values actually in the file.
  const data = allocate(dtype, n);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(toNumber(typed[i]));
  } else {
    for (let i = 0; i < n; i++) (data as Exclude<TensorArray, BigInt64Array>)[i] = toNumber(typed[i]);
  }
  return { dtype, dims, data };
}

function typedField(p: onnx.ITensorProto, dtype: DType): readonly unknown[] {
  switch (dtype) {
    case 'float32': return p.floatData ?? [];
    case 'float64': return p.doubleData ?? [];
    case 'int64': return p.int64Data ?? [];
    // int32, int8, uint8, bool and float16 (as raw bits) all live in int32_data.
    default: return p.int32Data ?? [];
  }
}

export function encodeTensor(name: string, t: Tensor): onnx.ITensorProto {
  return {
    name,
    dataType: dtypeToProto(t.dtype),
    dims: [...t.dims],
    rawData: toBytes(t),
  };
}
