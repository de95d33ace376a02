/**
 * The weight-training step as bise/train.ts runs it: forward in train mode, the cross-entropy gradient, backward to
 * every parameter. One onnxruntime session where the model's opset joins the engine's (fused-train-runner.ts), else
 * the two sessions of DifferentiableRunner with the gradient computed in TypeScript in between; both return the
 * same values up to float32 rounding. The optimiser step stays with the caller.
 */
import { Model, defaultOpset } from '../onnx/ir';
import type { TrainingGraphs } from '../graphs/training-graphs';
import { InputData } from '../graphs/model-inputs';
import { weightedCrossEntropy } from '../bise/cross-entropy';
import { checkClassLabels } from '../graphs/training-loss-graph';
import { DifferentiableRunner } from './differentiable-runner';
import { FusedTrainRunner } from './fused-train-runner';
import { fusesIntoEngineOpset, withoutMemoryPattern } from './fused-step-runner';
import { SessionConfig } from './session';

/** Views of the runner's reused buffers, valid until the next step(). */
export interface TrainStepResult {
  readonly logits: Float32Array;
  /** The batch-norm batch statistics (graphs.batchStatistics' mean and variance tensors) by name. */
  readonly statistics: Readonly<Record<string, Float32Array>>;
  /** dL/dparameter, in graphs.parameters order. */
  readonly gradients: readonly Float32Array[];
}

export interface TrainStepRunner {
  /**
   * One step: `inputs` by graph input name (the data inputs and every parameter's current value), `y` the class
   * labels of the batch's rows, `sampleWeights` their loss weights (undefined: 1).
   */
  step(inputs: Readonly<Record<string, InputData>>, y: ArrayLike<number>, sampleWeights?: ArrayLike<number>): Promise<TrainStepResult>;
  release(): Promise<void>;
}

/**
 * The runner for these graphs: fused where the model's default opset means the same under the engine's (13 to 17),
 * else two sessions. `config`: the budget's choice (training-memory-budget.ts); `asked`: the caller's session config,
 * whose memory pattern, if it names one, the fused session keeps (withoutMemoryPattern says why it is off otherwise).
 */
export async function createTrainStepRunner(model: Model, graphs: TrainingGraphs, config: SessionConfig, asked: SessionConfig = config): Promise<TrainStepRunner> {
  if (fusesTraining(model)) return FusedTrainRunner.create(model, graphs, withoutMemoryPattern(config, asked));
  return TwoSessionTrainRunner.create(model, graphs, config);
}

/** Whether createTrainStepRunner runs this model's step as one session (the memory budget's choices depend on it). */
export function fusesTraining(model: Model): boolean {
  return fusesIntoEngineOpset(defaultOpset(model));
}

/** The step as two sessions: forward, weightedCrossEntropy's gradient in TypeScript, backward. */
export class TwoSessionTrainRunner implements TrainStepRunner {
  private readonly classes: number;

  private constructor(
    readonly graphs: TrainingGraphs,
    private readonly runner: DifferentiableRunner,
  ) {
    this.classes = (graphs.shapes.get(graphs.logits) as readonly number[]).slice(1).reduce((a, b) => a * b, 1);
  }

  static async create(model: Model, graphs: TrainingGraphs, config: SessionConfig): Promise<TwoSessionTrainRunner> {
    return new TwoSessionTrainRunner(graphs, await DifferentiableRunner.create(model, graphs, config));
  }

  async step(inputs: Readonly<Record<string, InputData>>, y: ArrayLike<number>, sampleWeights?: ArrayLike<number>): Promise<TrainStepResult> {
    const fwd = await this.runner.forward(inputs);
    const logits = fwd.outputs[this.graphs.logits];
    checkClassLabels(y, this.classes);
    const { grad } = weightedCrossEntropy(logits, y, this.classes, sampleWeights);
    const gradients = await this.runner.backwardViews(fwd, { [this.graphs.logits]: grad });
    const statistics = Object.fromEntries(this.graphs.batchStatistics.flatMap((b) => [b.mean, b.variance]).map((name) => [name, fwd.outputs[name]]));
    return { logits, statistics, gradients };
  }

  release(): Promise<void> {
    return this.runner.release();
  }
}
