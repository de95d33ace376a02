/**
 * Training a model's weights with our autodiff (vanilla training of the models BISE starts from, and BISE+FT
 * finetuning of a pruned subnetwork): cross-entropy (optionally group-reweighted), SGD or Adam, cosine or
 * constant learning rate, deterministic with a seed. Returns a new Model; the input model is not changed.
 */
import { Model, Tensor } from '../onnx/ir';
import { AnyDataset, batchIndices, isTokenDataset } from '../data/dataset';
import { isTokenBatch, readBatches } from '../data/streaming/read-batches';
import { inputsByName } from '../data/text/token-feeds';
import { InputData } from '../graphs/model-inputs';
import { deriveSeed } from '../data/random';
import { trainingSampleWeights } from '../data/group-weights';
import { BatchNormMode, buildTrainingGraphs } from '../graphs/training-graphs';
import { updateRunningStatistics } from '../graphs/batchnorm-training';
import { createTrainStepRunner, fusesTraining } from '../runtime/train-step-runner';
import { SessionConfig } from '../runtime/session';
import { budgetedTrainingGraphs } from '../runtime/training-memory-budget';
import { accuracyBreakdown } from '../metrics/group-accuracy';
import { WeightOptimizerConfig, createWeightOptimizer } from './weight-optimizer';
import { argmaxRows, weightedCrossEntropy } from './cross-entropy';
import { EventSink, TrainEpochEvent, throwIfCancelled } from './events';
import { predictDataset } from './predict';

export interface TrainConfig {
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** adamw: Adam with decoupled weight decay (what transformers are usually trained with). */
  readonly optimizer: 'sgd' | 'adam' | 'adamw';
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly schedule: 'constant' | 'cosine';
  /** Reweight the cross-entropy by 1/(G·p(y,b)) (BISE+FT uses the same loss as the mask learning). */
  readonly reweighted: boolean;
  /** Batch normalisation on batch statistics (train mode) or frozen at the model's running statistics. */
  readonly batchNorm: BatchNormMode;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  seed: 0,
  epochs: 80,
  batchSize: 100,
  optimizer: 'sgd',
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  schedule: 'constant',
  reweighted: false,
  batchNorm: 'batch',
};

export interface TrainInputs {
  readonly model: Model;
  /** Images, or token ids for a text model (fed to its inputs by name). */
  readonly train: AnyDataset;
  readonly val?: AnyDataset;
  readonly config: TrainConfig;
  readonly session?: SessionConfig;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly model: Model;
  readonly history: TrainEpochEvent[];
  readonly msPerStep: number;
}

export function learningRate(config: TrainConfig, epoch: number): number {
  return config.schedule === 'cosine' ? (config.lr * (1 + Math.cos((Math.PI * epoch) / config.epochs))) / 2 : config.lr;
}

export async function trainWeights(inputs: TrainInputs): Promise<TrainResult> {
  const { model, train, val, config, signal } = inputs;
  const emit: EventSink = inputs.onEvent ?? (() => undefined);
  const sequence = isTokenDataset(train) ? { sequenceLength: train.sequenceLength } : {};
  // The frequency-domain convs are for onnxruntime's cpu provider, as the mask step's (session.ts lowersConvs), and
  // only where the memory budget leaves room for their spectra (runtime/training-memory-budget.ts).
  const budgeted = budgetedTrainingGraphs((chosen) => buildTrainingGraphs(model, config.batchSize, undefined, config.batchNorm, { ...sequence, ...chosen }), inputs.session ?? {}, fusesTraining(model));
  const { graphs } = budgeted;
  // One session (forward, the cross-entropy gradient, backward) where the model's opset allows, else two.
  const runner = await createTrainStepRunner(model, graphs, budgeted.config, inputs.session ?? {});
  const initial = (name: string): Float32Array => Float32Array.from(model.graph.initializers.get(name)?.data as Float32Array);
  // The optimiser holds the parameters (SGD's live in its WebAssembly memory) and updates them in place; they are
  // fed to the step as they are.
  const optimizer = createWeightOptimizer(graphs.parameters, (name) => model.graph.initializers.get(name)?.data as Float32Array, weightOptimizerConfig(config));
  const params = optimizer.parameters;
  const running = new Map(graphs.batchStatistics.flatMap((b) => [b.runningMean, b.runningVariance]).map((name) => [name, initial(name)]));
  const current = (): Model => withParameters(model, new Map([...params, ...running]));
  try {
    const weights = config.reweighted ? trainingSampleWeights(train) : undefined;
    const K = train.numClasses;
    const history: TrainEpochEvent[] = [];
    let stepMs = 0;
    let steps = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const lr = learningRate(config, epoch);
      optimizer.setLearningRate(lr);
      const start = performance.now();
      const batches = batchIndices(train.y.length, { batchSize: config.batchSize, seed: deriveSeed(config.seed, 'train-epoch', epoch), dropLast: true });
      if (batches.length === 0) throw new Error(`the training set has ${train.y.length} samples, fewer than one batch of ${config.batchSize}`);
      let loss = 0;
      let correct = 0;
      for await (const [b, batch] of readBatches(train, batches)) {
        throwIfCancelled(signal);
        const t0 = performance.now();
        const idx = batch.indices;
        const feeds: Record<string, InputData> = isTokenBatch(batch) ? inputsByName(batch) : { [graphs.input]: batch.x };
        for (const [name, value] of params) feeds[name] = value;
        const sampleWeights = weights ? Array.from(idx, (i) => weights[i]) : undefined;
        const out = await runner.step(feeds, batch.y, sampleWeights);
        for (const b of graphs.batchStatistics) {
          const stats = { mean: running.get(b.runningMean) as Float32Array, variance: running.get(b.runningVariance) as Float32Array };
          updateRunningStatistics(stats, { mean: out.statistics[b.mean], variance: out.statistics[b.variance] }, b.momentum, b.count);
        }
        // The step computed the loss's gradient; its value (reported, and checked before the optimiser moves anything) comes from the logits.
        const { loss: batchLoss } = weightedCrossEntropy(out.logits, batch.y, K, sampleWeights);
        if (!Number.isFinite(batchLoss)) {
          throw new Error(`training diverged at epoch ${epoch + 1}, step ${b + 1}: the loss is ${batchLoss}; lower the learning rate (now ${lr})`);
        }
        const pred = argmaxRows(out.logits, idx.length, K);
        for (let i = 0; i < idx.length; i++) correct += pred[i] === batch.y[i] ? 1 : 0;
        loss += batchLoss;
        optimizer.step(out.gradients);
        stepMs += performance.now() - t0;
        steps++;
        emit({ type: 'progress', phase: 'train', done: b + 1, total: batches.length, message: `epoch ${epoch + 1}/${config.epochs}` });
      }
      let valStats: ReturnType<typeof accuracyBreakdown> | undefined;
      if (val) {
        const { predictions } = await predictDataset(current(), val, inputs.session);
        valStats = accuracyBreakdown(predictions, val.y, val.biases[0], K, val.biasClasses[0]);
      }
      const event: TrainEpochEvent = {
        type: 'train-epoch',
        epoch: epoch + 1,
        lr,
        loss: loss / batches.length,
        trainAccuracy: correct / (batches.length * config.batchSize),
        valUnbiasedAccuracy: valStats?.unbiasedAccuracy ?? null,
        valAlignedAccuracy: valStats?.alignedAccuracy ?? null,
        valConflictingAccuracy: valStats?.conflictingAccuracy ?? null,
        seconds: (performance.now() - start) / 1000,
        msPerStep: stepMs / steps,
      };
      history.push(event);
      emit(event);
    }
    return { model: current(), history, msPerStep: stepMs / Math.max(1, steps) };
  } finally {
    await runner.release();
  }
}

/** The trainer's optimiser settings as weight-optimizer.ts takes them (Adam's betas and ε are PyTorch's defaults). */
export function weightOptimizerConfig(config: Pick<TrainConfig, 'optimizer' | 'lr' | 'momentum' | 'weightDecay'>): WeightOptimizerConfig {
  if (config.optimizer === 'sgd') return { kind: 'sgd', lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay };
  return { kind: 'adam', lr: config.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay, decoupled: config.optimizer === 'adamw' };
}

export function withParameters(model: Model, params: ReadonlyMap<string, Float32Array>): Model {
  const initializers = new Map(model.graph.initializers);
  for (const [name, value] of params) {
    const old = initializers.get(name) as Tensor;
    initializers.set(name, { dtype: 'float32', dims: old.dims, data: Float32Array.from(value) });
  }
  return { ...model, graph: { ...model.graph, initializers } };
}
