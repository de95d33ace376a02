/**
 * What a job needs to know about a model before it touches any data: the input it takes, how many classes it
 * outputs, and (for BISE) its prunable units. Every failure here is reported as an OnnxModelError naming the
 * model file, so a model the engine cannot use is refused before a dataset is read or anything is written.
 */
import { OnnxModelError } from '../onnx/errors';
import { Model, defaultOpset } from '../onnx/ir';
import { ShapeMap, checkSupported, inferShapes } from '../onnx/shape-inference';
import { batchShape } from '../graphs/gate-gradient-graphs';
import { Discovery, discoverUnits } from '../units/discover';
import type { UnitKind } from '../units/attention-heads';

export interface ModelIo {
  /** The data input's name. */
  readonly input: string;
  /** Its shape without the batch axis, e.g. [3, 28, 28]. */
  readonly sampleDims: readonly number[];
  /** The width of the logits (the first graph output's last axis). */
  readonly classes: number;
  /** Every tensor's shape for a batch of two. */
  readonly shapes: ShapeMap;
}

/** Runs `f`, turning a plain error into one that names the model file. */
export function namingModel<T>(modelPath: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw asModelError(modelPath, e);
  }
}

export async function namingModelAsync<T>(modelPath: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw asModelError(modelPath, e);
  }
}

function asModelError(modelPath: string, e: unknown): OnnxModelError {
  if (e instanceof OnnxModelError) return e;
  return new OnnxModelError(modelPath, e instanceof Error ? e.message : String(e), undefined, e);
}

export function modelIo(model: Model, modelPath: string): ModelIo {
  return namingModel(modelPath, () => {
    checkSupported(model.graph, modelPath);
    // Two samples, not one: a graph that mixes the batch axis into the features (e.g. Flatten at axis 0) is
    // caught here rather than when the engine builds its graphs for a real batch.
    const { input, dims } = batchShape(model, 2);
    const shapes = inferShapes(model.graph, new Map([[input, dims]]));
    const logits = model.graph.outputs[0].name;
    const logitShape = shapes.get(logits);
    if (!logitShape || logitShape.length !== 2 || logitShape[0] !== 2) {
      throw new Error(`output '${logits}' has shape [${(logitShape ?? []).join(', ')}] for a batch of 2; expected logits [batch, classes]`);
    }
    return { input, sampleDims: dims.slice(1), classes: logitShape[1], shapes };
  });
}

/** The model's units for BISE (`units`: which kinds, units/discover.ts); refuses a model in which none can be gated. */
export function discoverModelUnits(model: Model, modelPath: string, io: ModelIo, bottleneck?: string, units?: UnitKind): Discovery {
  return namingModel(modelPath, () => {
    const discovery = discoverUnits(model.graph, io.shapes, { opset: defaultOpset(model), ...(bottleneck && { bottleneck }), ...(units && { units }) });
    if (discovery.groups.length === 0) {
      const why = discovery.skipped.length > 0 ? `; left out: ${discovery.skipped.map((s) => `${s.node} (${s.reason})`).join(', ')}` : '';
      throw new Error(`no prunable units (Conv output channels, Gemm/MatMul neurons) were found before the classifier '${discovery.classifier}'; BISE has nothing to learn${why}`);
    }
    return discovery;
  });
}
