/**
 * Times one weight-training step of a model at one batch size in this process, as the engine's trainWeights
 * (src/core/bise/train.ts) runs it: batch-statistics training graphs, the step runner trainWeights takes
 * (runtime/train-step-runner.ts: forward, cross-entropy gradient and backward as one session where the opset allows),
 * running BN statistics updated, SGD (momentum 0.9, weight decay 1e-4) on each parameter. The upstream gradient is
 * the cross-entropy gradient for fixed labels (row i: class i mod K, weight 1), computed where trainWeights computes
 * it (inside the fused session); it replaced a constant dL/dlogits = 0.01 fed to the backward, which the fused step
 * has no input for. PyTorch's twin (bench/torch-train-step.py) still backpropagates sum(logits · 0.01), a gradient of
 * the same size (N×K) whose cost is negligible beside the step's.
 */
import { Model } from '../../src/core/onnx/ir';
import { TrainingGraphs, buildTrainingGraphs } from '../../src/core/graphs/training-graphs';
import { updateRunningStatistics } from '../../src/core/graphs/batchnorm-training';
import { TrainStepResult, TrainStepRunner, createTrainStepRunner } from '../../src/core/runtime/train-step-runner';
import { createWeightOptimizer } from '../../src/core/bise/weight-optimizer';
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
  /** Median CPU time of this process per timed step (all threads), ms: steadier than wall time on a VM with fast and slow spells. */
  readonly cpuMs: number;
}

/** The optimiser of the PyTorch twin; lr does not change the work per step. */
export const TRAIN_SGD = { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 } as const;

/** trainWeights' step with fixed labels, in its three parts (train-step-breakdown.ts times them apart). */
export interface BenchTrainStep {
  /** Trainable values (weights, biases, BN scales and shifts). */
  readonly parameters: number;
  /** Forward, loss gradient and backward: the runner's step. */
  run(): Promise<TrainStepResult>;
  statistics(result: TrainStepResult): void;
  sgd(gradients: readonly Float32Array[]): void;
  /** The three in a row. */
  step(): Promise<void>;
}

/**
 * The step on copies of the model's parameters and running statistics, as trainWeights makes them, on x[i] = sin(i),
 * with trainWeights' optimiser (bise/weight-optimizer.ts; `simdSgd: false` for the JavaScript SGD).
 */
export function benchTrainStep(model: Model, graphs: TrainingGraphs, runner: TrainStepRunner, simdSgd = true): BenchTrainStep {
  const initial = (name: string): Float32Array => Float32Array.from(model.graph.initializers.get(name)?.data as Float32Array);
  // The optimiser holds copies of the parameters, updates them in place, and the next step feeds them.
  const optimizer = createWeightOptimizer(graphs.parameters, (name) => model.graph.initializers.get(name)?.data as Float32Array, { kind: 'sgd', ...TRAIN_SGD }, simdSgd);
  const params = optimizer.parameters;
  const running = new Map(graphs.batchStatistics.flatMap((b) => [b.runningMean, b.runningVariance]).map((name) => [name, initial(name)]));
  const dims = (name: string): readonly number[] => graphs.shapes.get(name) as readonly number[];
  const size = (name: string): number => dims(name).reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: size(graphs.input) }, (_, i) => Math.sin(i));
  const [rows, ...perRow] = dims(graphs.logits);
  const classes = perRow.reduce((a, b) => a * b, 1);
  const y = Int32Array.from({ length: rows }, (_, i) => i % classes);
  const parts = {
    parameters: [...params.values()].reduce((n, p) => n + p.length, 0),
    run: (): Promise<TrainStepResult> => {
      const feeds: Record<string, Float32Array> = { [graphs.input]: x };
      for (const [name, value] of params) feeds[name] = value;
      return runner.step(feeds, y);
    },
    statistics: (result: TrainStepResult): void => {
      for (const b of graphs.batchStatistics) {
        const stats = { mean: running.get(b.runningMean) as Float32Array, variance: running.get(b.runningVariance) as Float32Array };
        updateRunningStatistics(stats, { mean: result.statistics[b.mean], variance: result.statistics[b.variance] }, b.momentum, b.count);
      }
    },
    sgd: (gradients: readonly Float32Array[]): void => optimizer.step(gradients),
  };
  return {
    ...parts,
    step: async (): Promise<void> => {
      const result = await parts.run();
      parts.statistics(result);
      parts.sgd(result.gradients);
    },
  };
}

export async function timeTrainStep(model: Model, s: TrainStepSettings): Promise<TrainStepTiming> {
  const t0 = performance.now();
  const graphs = buildTrainingGraphs(model, s.batch, undefined, 'batch');
  const runner = await createTrainStepRunner(model, graphs, { threads: s.threads });
  const setupMs = performance.now() - t0;
  try {
    const train = benchTrainStep(model, graphs, runner);
    const cpu: number[] = [];
    const allMs = await timeRepeated(
      async () => {
        const c0 = process.cpuUsage();
        await train.step();
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      },
      s.warmup,
      s.repeats,
    );
    return { medianMs: median(allMs), allMs, setupMs, parameters: train.parameters, cpuMs: median(cpu.slice(s.warmup)) };
  } finally {
    await runner.release();
  }
}
