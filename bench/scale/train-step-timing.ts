/**
 * Times one weight-training step of a model at one batch size in this process, as the engine's trainWeights
 * (src/core/bise/train.ts) runs it: batch-statistics training graphs, forward with the current parameters fed,
 * running BN statistics updated, backward from a constant dL/dlogits to every parameter, SGD (momentum 0.9,
 * weight decay 1e-4) on each. The loss and its gradient are left out: a fixed upstream gradient, as PyTorch's
 * sum(logits · 0.01) in bench/torch-train-step.py.
 */
import { Model } from '../../src/core/onnx/ir';
import { TrainingGraphs, buildTrainingGraphs } from '../../src/core/graphs/training-graphs';
import { updateRunningStatistics } from '../../src/core/graphs/batchnorm-training';
import { DifferentiableRunner, ForwardResult } from '../../src/core/runtime/differentiable-runner';
import { Sgd } from '../../src/core/bise/sgd';
import { median, timeRepeated } from './stats';

export interface TrainStepSettings {
  readonly batch: number;
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
}

export interface TrainStepTiming {
  readonly medianMs: number;
  readonly allMs: readonly number[];
  /** Milliseconds to build the training graphs and start their sessions. */
  readonly setupMs: number;
  /** Trainable values (weights, biases, BN scales and shifts). */
  readonly parameters: number;
}

/** The optimiser of the PyTorch twin; lr does not change the work per step. */
export const TRAIN_SGD = { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 } as const;
const UPSTREAM = 0.01;

/** trainWeights' step with a fixed upstream gradient, in its four parts (train-step-breakdown.ts times them apart). */
export interface BenchTrainStep {
  /** Trainable values (weights, biases, BN scales and shifts). */
  readonly parameters: number;
  forward(): Promise<ForwardResult>;
  statistics(fwd: ForwardResult): void;
  backward(fwd: ForwardResult): Promise<Float32Array[]>;
  sgd(grads: readonly Float32Array[]): void;
  /** The four in a row. */
  step(): Promise<void>;
}

/** The step on copies of the model's parameters and running statistics, as trainWeights makes them, on x[i] = sin(i). */
export function benchTrainStep(model: Model, graphs: TrainingGraphs, runner: DifferentiableRunner): BenchTrainStep {
  // Copies: the optimiser updates them in place and the next step feeds them.
  const initial = (name: string): Float32Array => Float32Array.from(model.graph.initializers.get(name)?.data as Float32Array);
  const params = new Map(graphs.parameters.map((p) => [p, initial(p)]));
  const running = new Map(graphs.batchStatistics.flatMap((b) => [b.runningMean, b.runningVariance]).map((name) => [name, initial(name)]));
  const size = (name: string): number => (graphs.shapes.get(name) as readonly number[]).reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: size(graphs.input) }, (_, i) => Math.sin(i));
  const upstream = new Float32Array(size(graphs.logits)).fill(UPSTREAM);
  const optimizer = new Sgd({ ...TRAIN_SGD });
  const parts = {
    parameters: [...params.values()].reduce((n, p) => n + p.length, 0),
    forward: (): Promise<ForwardResult> => {
      const feeds: Record<string, Float32Array> = { [graphs.input]: x };
      for (const [name, value] of params) feeds[name] = value;
      return runner.forward(feeds);
    },
    statistics: (fwd: ForwardResult): void => {
      for (const b of graphs.batchStatistics) {
        const stats = { mean: running.get(b.runningMean) as Float32Array, variance: running.get(b.runningVariance) as Float32Array };
        updateRunningStatistics(stats, { mean: fwd.outputs[b.mean], variance: fwd.outputs[b.variance] }, b.momentum, b.count);
      }
    },
    backward: (fwd: ForwardResult): Promise<Float32Array[]> => runner.backwardViews(fwd, { [graphs.logits]: upstream }),
    sgd: (grads: readonly Float32Array[]): void => graphs.parameters.forEach((p, i) => optimizer.step(params.get(p) as Float32Array, grads[i])),
  };
  return {
    ...parts,
    step: async (): Promise<void> => {
      const fwd = await parts.forward();
      parts.statistics(fwd);
      parts.sgd(await parts.backward(fwd));
    },
  };
}

export async function timeTrainStep(model: Model, s: TrainStepSettings): Promise<TrainStepTiming> {
  const t0 = performance.now();
  const graphs = buildTrainingGraphs(model, s.batch, undefined, 'batch');
  const runner = await DifferentiableRunner.create(model, graphs, { threads: s.threads });
  const setupMs = performance.now() - t0;
  try {
    const train = benchTrainStep(model, graphs, runner);
    const allMs = await timeRepeated(train.step, s.warmup, s.repeats);
    return { medianMs: median(allMs), allMs, setupMs, parameters: train.parameters };
  } finally {
    await runner.release();
  }
}
