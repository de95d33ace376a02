/**
 * modelIo (model-analysis.ts) for models with any number of data inputs: an image classifier's one float input,
 * or a text classifier's int64 input_ids, attention_mask and token_type_ids with a dynamic sequence axis. The
 * shapes it infers are at a batch of two and, for token models, at ANALYSIS_SEQUENCE_LENGTH tokens.
 */
import { Model } from '../onnx/ir';
import { checkSupported, inferShapes } from '../onnx/shape-inference';
import { DeclaredInput, declaredInputs, fedInputs, hasSequenceAxis, shapeMap } from '../graphs/model-inputs';
import { ModelIo, namingModel } from './model-analysis';

/** Tokens per sequence at which a token model's structure is analysed (any length the model accepts would do). */
export const ANALYSIS_SEQUENCE_LENGTH = 8;

export interface ModelSignature extends ModelIo {
  /** Every data input as the model declares it (ModelIo's `input` and `sampleDims` are the first one's). */
  readonly inputs: readonly DeclaredInput[];
  /** The sequence length `shapes` were inferred at; undefined when no input has a dynamic sequence axis. */
  readonly sequenceLength?: number;
}

export function modelSignature(model: Model, modelPath: string): ModelSignature {
  return namingModel(modelPath, () => {
    checkSupported(model.graph, modelPath);
    const inputs = declaredInputs(model);
    const sequenceLength = hasSequenceAxis(inputs) ? ANALYSIS_SEQUENCE_LENGTH : undefined;
    // Two samples, not one: a graph that mixes the batch axis into the features (e.g. Flatten at axis 0) is
    // caught here rather than when the engine builds its graphs for a real batch.
    const fed = fedInputs(inputs, { batchSize: 2, sequenceLength });
    const shapes = inferShapes(model.graph, shapeMap(fed));
    const logits = model.graph.outputs[0].name;
    const logitShape = shapes.get(logits);
    if (!logitShape || logitShape.length !== 2 || logitShape[0] !== 2) {
      throw new Error(`output '${logits}' has shape [${(logitShape ?? []).join(', ')}] for a batch of 2; expected logits [batch, classes]`);
    }
    return { input: fed[0].name, sampleDims: fed[0].dims.slice(1), classes: logitShape[1], shapes, inputs, ...(sequenceLength !== undefined && { sequenceLength }) };
  });
}

/** One line per input for `bise info`: name, element type, declared shape and which axes are dynamic. */
export function describeInput(v: DeclaredInput): string {
  const dynamic = v.shape.flatMap((d, axis) => (typeof d === 'number' ? [] : [`${axis === 0 ? 'batch' : 'sequence'} (axis ${axis}${typeof d === 'string' && d ? `, '${d}'` : ''})`]));
  return `${v.name}: ${v.dtype} [${v.shape.map((d) => d ?? '?').join(', ')}]${dynamic.length > 0 ? `, dynamic ${dynamic.join(' and ')}` : ''}`;
}
