/**
 * Times one weight-training step of a model at one batch size in this process, as the engine's trainWeights
 * (src/core/bise/train.ts) runs it: batch-statistics training graphs, forward with the current parameters fed,
 * running BN statistics updated, backward from a constant dL/dlogits to every parameter, SGD (momentum 0.9,
 * weight decay 1e-4) on each. The loss and its gradient are left out: a fixed upstream gradient, as PyTorch's
 * sum(logits · 0.01) in bench/torch-train-step.py.
 */
import { Model } from '../../src/core/onnx/ir';
import { buildTrainingGraphs } from '../../src/core/graphs/training-graphs';
import { updateRunningStatistics } from '../../src/core/graphs/batchnorm-training';
import { DifferentiableRunner } from '../../src/core/runtime/differentiable-runner';
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

export async function timeTrainStep(model: Model, s: TrainStepSettings): Promise<TrainStepTiming> {
  const t0 = performance.now();
  const graphs = buildTrainingGraphs(model, s.batch, undefined, 'batch');
  const runner = await DifferentiableRunner.create(model, graphs, { threads: s.threads });
  const setupMs = performance.now() - t0;
  try {
    // Copies, as trainWeights makes: the optimiser updates them in place and the next step feeds them.
    const initial = (name: string): Float32Array => Float32Array.from(model.graph.initializers.get(name)?.data as Float32Array);
    const params = new Map(graphs.parameters.map((p) => [p, initial(p)]));
    const running = new Map(graphs.batchStatistics.flatMap((b) => [b.runningMean, b.runningVariance]).map((name) => [name, initial(name)]));
    const inputSize = (graphs.shapes.get(graphs.input) as readonly number[]).reduce((a, b) => a * b, 1);
    const logitsSize = (graphs.shapes.get(graphs.logits) as readonly number[]).reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: inputSize }, (_, i) => Math.sin(i));
    const upstream = new Float32Array(logitsSize).fill(UPSTREAM);
    const optimizer = new Sgd({ ...TRAIN_SGD });
    const allMs = await timeRepeated(
      async () => {
        const feeds: Record<string, Float32Array> = { [graphs.input]: x };
        for (const [name, value] of params) feeds[name] = value;
        const fwd = await runner.forward(feeds);
        for (const b of graphs.batchStatistics) {
          const stats = { mean: running.get(b.runningMean) as Float32Array, variance: running.get(b.runningVariance) as Float32Array };
          updateRunningStatistics(stats, { mean: fwd.outputs[b.mean], variance: fwd.outputs[b.variance] }, b.momentum, b.count);
        }
        const grads = await runner.backwardViews(fwd, { [graphs.logits]: upstream });
        graphs.parameters.forEach((p, i) => optimizer.step(params.get(p) as Float32Array, grads[i]));
      },
      s.warmup,
      s.repeats,
    );
    const parameters = [...params.values()].reduce((n, p) => n + p.length, 0);
    return { medianMs: median(allMs), allMs, setupMs, parameters };
  } finally {
    await runner.release();
  }
}
