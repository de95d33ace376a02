/**
 * The weight-training step as one onnxruntime session: the training forward (graphs/training-graphs.ts), the
 * cross-entropy gradient (graphs/training-loss-graph.ts) and the backward to every parameter, joined by tensor name
 * (graphs/chain-graphs.ts), as the mask step's FusedStepRunner does. The two-session step (DifferentiableRunner)
 * hands every saved activation out of onnxruntime (NCHWc → NCHW reorders, copies into JS buffers) and takes it back
 * in the backward; here they stay inside one graph, and only the logits, the batch-norm statistics and the
 * parameter gradients come out, each into a buffer the runner reuses.
 *
 * Only for models whose default opset means the same under the engine's opset 17 (fusesIntoEngineOpset); the
 * others train with two sessions (train-step-runner.ts createTrainStepRunner picks).
 */
import * as ort from 'onnxruntime-node';
import { Model, ValueInfo, defaultOpset } from '../onnx/ir';
import { inferShapes } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/writer';
import type { TrainingGraphs } from '../graphs/training-graphs';
import { TrainingLossGraph, buildTrainingLossGraph, trainingLossFeeds } from '../graphs/training-loss-graph';
import { chainGraphs } from '../graphs/chain-graphs';
import { FedInput, InputData } from '../graphs/model-inputs';
import { ENGINE_OPSET, engineModel, feedDtype, feedTensor, forSession } from './differentiable-runner';
import { nchwcBlockFor } from './nchwc-block';
import { fusesIntoEngineOpset } from './fused-step-runner';
import { SessionConfig, createSession } from './session';
import type { TrainStepResult, TrainStepRunner } from './train-step-runner';

export class FusedTrainRunner implements TrainStepRunner {
  private constructor(
    readonly graphs: TrainingGraphs,
    readonly loss: TrainingLossGraph,
    private readonly session: ort.InferenceSession,
    /** Every input of the joined graph (data, parameters, the loss feeds) with its element type and dims. */
    private readonly inputs: readonly FedInput[],
    /** Reused output buffers: the logits, the batch statistics, then the gradients. */
    private readonly outputs: Record<string, ort.Tensor>,
    private readonly result: TrainStepResult,
  ) {}

  /** `config` as the session takes it (the caller applies the memory budget and the memory pattern's choice). */
  static async create(model: Model, graphs: TrainingGraphs, config: SessionConfig = {}): Promise<FusedTrainRunner> {
    const opset = defaultOpset(model);
    if (!fusesIntoEngineOpset(opset)) throw new Error(`the fused training step runs models of opset 13 to ${ENGINE_OPSET}; this model's default opset is ${opset} (train it with two sessions)`);
    const seed = graphs.backward.seedInputs.get(graphs.logits);
    if (!seed) throw new Error(`the training backward graph takes no upstream gradient for the logits '${graphs.logits}'`);
    const loss = buildTrainingLossGraph({ logits: graphs.logits, logitsDims: graphs.shapes.get(graphs.logits) as readonly number[], dLogits: seed });
    const statistics = graphs.batchStatistics.flatMap((b) => [b.mean, b.variance]);
    const gradients = [...graphs.backward.gradOutputs.values()];
    const results: ValueInfo[] = [graphs.logits, ...statistics, ...gradients].map((name) => ({ name, dtype: 'float32', shape: null }));
    const joined = chainGraphs('bise_train_step', [graphs.forward, loss.graph, graphs.backward.graph], results);
    const shapes = inferShapes(joined, new Map(joined.inputs.map((v) => [v.name, (graphs.shapes.get(v.name) ?? v.shape) as readonly number[]])));
    // As the two-session step prepares its graphs: fed-weight convs on onnxruntime's blocked kernels, constant convs lowered.
    const graph = forSession(joined, config, await nchwcBlockFor(config), shapes);
    const opsets = model.opsetImports.map((o) => (o.domain === '' ? { domain: '', version: ENGINE_OPSET } : o));
    const created = await createSession(serializeModel(engineModel(model, graph, opsets)), config);
    const inputs = joined.inputs.map((v) => ({ name: v.name, dtype: feedDtype(v.name, v.dtype), dims: shapes.get(v.name) as readonly number[] }));
    const outputs = Object.fromEntries(
      results.map(({ name }) => {
        const dims = shapes.get(name) as readonly number[];
        return [name, new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims)];
      }),
    );
    const view = (name: string): Float32Array => outputs[name].data as Float32Array;
    const result: TrainStepResult = { logits: view(graphs.logits), statistics: Object.fromEntries(statistics.map((s) => [s, view(s)])), gradients: gradients.map(view) };
    return new FusedTrainRunner(graphs, loss, created.session, inputs, outputs, result);
  }

  async step(inputs: Readonly<Record<string, InputData>>, y: ArrayLike<number>, sampleWeights?: ArrayLike<number>): Promise<TrainStepResult> {
    const values: Record<string, InputData> = { ...inputs, ...trainingLossFeeds(this.loss, y, sampleWeights) };
    const feeds: Record<string, ort.Tensor> = {};
    for (const v of this.inputs) feeds[v.name] = feedTensor(v, values[v.name], 'training step');
    await this.session.run(feeds, this.outputs);
    return this.result;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
