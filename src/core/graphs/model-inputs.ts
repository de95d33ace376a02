/**
 * A model's data inputs and their concrete shapes for one call. An image classifier has one float input
 * [batch, C, H, W]; a text classifier exported from Hugging Face has several int64 inputs (input_ids,
 * attention_mask, token_type_ids) of shape [batch, sequence]. The engine builds its graphs per batch size, and for
 * token models per sequence length too: axis 0 takes the batch size, and a dynamic axis 1 (the sequence, shared by
 * every input that has one) takes the sequence length. Any other dynamic axis is refused, naming the input.
 */
import { DType, Dim, Model } from '../onnx/ir';

/** Element types a data input may have. */
export type DataDtype = 'float32' | 'int64' | 'int32';

const DATA_DTYPES: readonly DType[] = ['float32', 'int64', 'int32'];

/** A data input as the model declares it. */
export interface DeclaredInput {
  readonly name: string;
  readonly dtype: DataDtype;
  readonly shape: readonly Dim[];
  /** Whether axis 1 is dynamic: the sequence length is chosen per call. */
  readonly sequenceAxis: boolean;
}

/** A data input at concrete dims. */
export interface FedInput {
  readonly name: string;
  readonly dtype: DataDtype;
  readonly dims: readonly number[];
}

/** A data input's values for one call (axis 0 of `dims` is the batch, shared by every input). */
export interface InputValues extends FedInput {
  readonly data: InputData;
}

/** The sizes chosen for one call: the batch, and the sequence length for inputs with a dynamic axis 1. */
export interface InputExtent {
  readonly batchSize: number;
  readonly sequenceLength?: number;
}

/** Values fed to a data input, by element type. */
export type InputData = Float32Array | BigInt64Array | Int32Array;

/** The model's data inputs (graph inputs that are not initializers), checked: supported type, declared shape. */
export function declaredInputs(model: Model): DeclaredInput[] {
  const inputs = model.graph.inputs;
  if (inputs.length === 0) throw new Error('the model has no data input');
  return inputs.map((v) => {
    if (!DATA_DTYPES.includes(v.dtype)) throw new Error(`graph input '${v.name}' has element type ${v.dtype}; the engine feeds float32, int64 or int32 inputs`);
    if (!v.shape || v.shape.length === 0) throw new Error(`graph input '${v.name}' declares no shape`);
    const dynamic = v.shape.flatMap((d, axis) => (axis > 0 && typeof d !== 'number' ? [axis] : []));
    if (dynamic.some((axis) => axis !== 1)) {
      throw new Error(
        `graph input '${v.name}' has non-batch dimensions that are not fixed: [${v.shape.join(', ')}]; only axis 0 (the batch) and axis 1 (a sequence) may be dynamic`,
      );
    }
    return { name: v.name, dtype: v.dtype as DataDtype, shape: v.shape, sequenceAxis: dynamic.includes(1) };
  });
}

/** Whether some input has a dynamic sequence axis (a sequence length must then be chosen). */
export function hasSequenceAxis(inputs: readonly DeclaredInput[]): boolean {
  return inputs.some((v) => v.sequenceAxis);
}

/** Every data input at the given batch size and sequence length. */
export function fedInputs(inputs: readonly DeclaredInput[], extent: InputExtent): FedInput[] {
  const { batchSize, sequenceLength } = extent;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batch size ${batchSize} is not a positive integer`);
  return inputs.map((v) => {
    if (v.sequenceAxis && !(sequenceLength !== undefined && Number.isInteger(sequenceLength) && sequenceLength >= 1)) {
      throw new Error(`graph input '${v.name}' [${v.shape.join(', ')}] has a dynamic sequence axis; give a sequence length (a positive integer)`);
    }
    const dims = v.shape.map((d, axis) => (axis === 0 ? batchSize : typeof d === 'number' ? d : (sequenceLength as number)));
    return { name: v.name, dtype: v.dtype, dims };
  });
}

/** The inputs' shapes by name, as shape inference and shape folding take them. */
export function shapeMap(inputs: readonly FedInput[]): Map<string, readonly number[]> {
  return new Map(inputs.map((v) => [v.name, v.dims]));
}

/** An empty array of the input's element type and size. */
export function zeroData(input: FedInput): InputData {
  const size = input.dims.reduce((a, b) => a * b, 1);
  return input.dtype === 'int64' ? new BigInt64Array(size) : input.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

/** Checks that `data` has the input's element type and size (a wrong feed is named here, not deep in onnxruntime). */
export function checkInputData(input: FedInput, data: InputData | undefined): InputData {
  if (!data) throw new Error(`no value for graph input '${input.name}'`);
  const expected = input.dtype === 'int64' ? BigInt64Array : input.dtype === 'int32' ? Int32Array : Float32Array;
  if (!(data instanceof expected)) throw new Error(`graph input '${input.name}' is ${input.dtype}; it was given a ${data.constructor.name}`);
  const size = input.dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`graph input '${input.name}' [${input.dims.join(', ')}] takes ${size} values; it was given ${data.length}`);
  return data;
}
