/**
 * The weight-training step (`bise train`, `bise finetune`) under a memory budget: its large stride-1 convs train in
 * the frequency domain from the fed weight (graphs/fed-frequency-conv.ts), which is fast but holds the spectra of
 * activations, weights and gradients as graph intermediates. From the estimate of the two sessions
 * (memory-estimate.ts) and the parameters the trainer holds, the fastest configuration that fits is taken, as the
 * mask step's (memory-budget.ts): the graphs' speed rewrites (frequency-domain convs, weight gradients as patch
 * GEMMs) with onnxruntime's memory pattern, without it, with the arena off, then every conv direct.
 */
import type { TrainingGraphs } from '../graphs/training-graphs';
import { inferShapes } from '../onnx/shape-inference';
import { SessionConfig, lowersConvs } from './session';
import { StepMemoryEstimate, estimateStepMemory } from './memory-estimate';
import { MemoryCandidate, SESSION_BYTES, budgetChoiceMessage, chooseConfiguration } from './memory-budget';

export interface TrainingConfiguration {
  /**
   * The training graphs' speed rewrites (graphs/training-graphs.ts): the qualifying fed-weight convs in the frequency
   * domain, and conv weight gradients as one GEMM over the input's patches. Both hold large intermediates (spectra,
   * patch matrices); without them every conv and its gradients run direct.
   */
  readonly frequencyConvs: boolean;
  readonly weightGradientGemms: boolean;
  readonly memoryArena: boolean;
  readonly memoryPattern: boolean;
}

/** Which training graphs a configuration runs. */
export type TrainingGraphOptionsChosen = Pick<TrainingConfiguration, 'frequencyConvs' | 'weightGradientGemms'>;

export interface TrainingStepEstimate extends StepMemoryEstimate {
  /** The trained parameters' values (bytes), fed to the forward every step. */
  readonly parameters: number;
}

/**
 * Fitted (least squares on the relative error) to the training step's peak RSS over the RSS before the model was
 * read, one child process per configuration with bench/memory-fit.ts (bench/memory-fit-data/training-step.jsonl;
 * 2 threads, SGD with momentum): SimpleConvNet, ResNet-18, the MLP, and AlexNet and ResNet of test/fixtures/zoo
 * (MobileNetV2's grouped convs do not train yet), at batch 100 and 32, in each configuration of
 * trainingConfigurations. The parameters (and the graphs' few constants) are held about 1.8 times, the tensors kept
 * between forward and backward (the gradients among them) 2 times; the intermediates of both sessions 2.5 times
 * with the arena and its memory pattern, 1.75 times with the arena alone, and the larger session's 2 times without
 * the arena; any step about 35 MiB (SESSION_BYTES). The estimates came within −25% … +17% of the 50 peaks, within
 * ±10% on 38. More than 10% short: the zoo's AlexNet and ResNet at batch 100 (50–88 MiB measured, 6–22 MiB above
 * the estimate, growing with the batch faster than any tensor of their graphs: onnxruntime's kernels' own scratch,
 * presumably) and ResNet-18 once (−11.5%).
 */
export const TRAIN_PARAMETER_FACTOR = 1.8;
export const TRAIN_KEPT_FACTOR = 2;
export const TRAIN_ARENA_PATTERN_FACTOR = 2.5;
export const TRAIN_ARENA_NO_PATTERN_FACTOR = 1.75;
export const TRAIN_NO_ARENA_FACTOR = 2;

/** The estimate's parts for a step built from these graphs (no session lowering: the trained convs' weights are fed). */
export function trainingStepEstimate(graphs: TrainingGraphs): TrainingStepEstimate {
  const bwd = graphs.backward.graph;
  const backward = { graph: bwd, shapes: inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]]))) };
  const step = estimateStepMemory({ graph: graphs.forward, shapes: graphs.forwardShapes }, backward, undefined);
  const parameters = graphs.parameters.reduce((sum, p) => sum + 4 * (graphs.forwardShapes.get(p) ?? []).reduce((a, b) => a * b, 1), 0);
  return { ...step, parameters };
}

/** Bytes the training step adds to the process in this configuration (the model as read included). */
export function trainingConfigurationBytes(e: TrainingStepEstimate, c: Pick<TrainingConfiguration, 'memoryArena' | 'memoryPattern'>): number {
  const both = e.forward + e.backward;
  const intermediates = !c.memoryArena ? TRAIN_NO_ARENA_FACTOR * Math.max(e.forward, e.backward) : (c.memoryPattern ? TRAIN_ARENA_PATTERN_FACTOR : TRAIN_ARENA_NO_PATTERN_FACTOR) * both;
  return SESSION_BYTES + TRAIN_PARAMETER_FACTOR * (e.constants + e.parameters) + TRAIN_KEPT_FACTOR * e.kept + intermediates;
}

/**
 * From fastest to leanest (SimpleConvNet, batch 100, 2 threads, CPU ms per step and peak RSS, bench/memory-fit.ts):
 * the speed rewrites with onnxruntime's memory pattern (894 ms, 1,002 MiB), without it (1,023 ms, 912 MiB), with
 * the arena off (1,876 ms, 691 MiB); then every conv direct without patch GEMMs, the pattern off (3,424 ms,
 * 392 MiB), the arena off (3,667 ms, 385 MiB). Direct convs with patch GEMMs were slower and larger than either
 * (3,205 ms, 1,407 MiB with the arena and its pattern).
 * `frequencyConvs`: whether the fast graphs lower convs (cpu only). `fused`: the step runs as one session
 * (runtime/fused-train-runner.ts), where the arena off is never a choice: its peak varied from run to run (SimpleConvNet,
 * batch 100, 7 runs: 650–1,035 MiB against 648 estimated) and it ran ~1.5× slower than the two sessions, while every
 * conv direct with the arena on peaked at 226–232 MiB (estimated 457). As the fused mask step (memory-budget.ts).
 */
export function trainingConfigurations(frequencyConvs: boolean, fused = false): TrainingConfiguration[] {
  const all: TrainingConfiguration[] = [
    { frequencyConvs, weightGradientGemms: true, memoryArena: true, memoryPattern: true },
    { frequencyConvs, weightGradientGemms: true, memoryArena: true, memoryPattern: false },
    { frequencyConvs, weightGradientGemms: true, memoryArena: false, memoryPattern: true },
    { frequencyConvs: false, weightGradientGemms: false, memoryArena: true, memoryPattern: false },
    { frequencyConvs: false, weightGradientGemms: false, memoryArena: false, memoryPattern: true },
  ];
  return fused ? all.filter((c) => c.memoryArena) : all;
}

/** Convs the training graphs compute in the frequency domain: fed-frequency-conv.ts names each one's nodes `ffconv<index>/…`. */
export function frequencyConvCount(graphs: TrainingGraphs): number {
  return new Set(graphs.forward.nodes.map((n) => /^ffconv\d+\//.exec(n.name)?.[0]).filter((p) => p !== undefined)).size;
}

export function describeTrainingConfiguration(c: TrainingConfiguration, lowered: number): string {
  const convs = !c.weightGradientGemms
    ? 'every conv and its gradients direct'
    : c.frequencyConvs && lowered > 0
      ? `${lowered} convs in the frequency domain, weight gradients as patch GEMMs`
      : 'weight gradients as patch GEMMs';
  const arena = c.memoryArena ? `onnxruntime's memory arena on, memory pattern ${c.memoryPattern ? 'on' : 'off'}` : "onnxruntime's memory arena off";
  return `${convs}, ${arena}`;
}

export interface BudgetedTraining {
  readonly graphs: TrainingGraphs;
  /** The session config for DifferentiableRunner.create: the chosen arena and memory pattern, the budget applied. */
  readonly config: SessionConfig;
}

/**
 * The training graphs and session config for `config`: without memoryBudgetBytes (or on another provider than cpu)
 * the fast graphs (frequency-domain convs as the provider allows, patch GEMMs) and the config as given; with it, the
 * fastest configuration whose estimate fits, else the leanest, said through onMemoryChoice. The direct graphs are
 * built only if no configuration of the fast ones fits, and not at all for a model without convs (they are the same).
 * `fused`: the step will run as one session (train-step-runner.ts createTrainStepRunner), which never turns the arena off.
 */
export function budgetedTrainingGraphs(build: (options: TrainingGraphOptionsChosen) => TrainingGraphs, config: SessionConfig, fused = false): BudgetedTraining {
  const { memoryBudgetBytes: budget, onMemoryChoice, ...rest } = config;
  const fast = build({ frequencyConvs: lowersConvs(config), weightGradientGemms: true });
  if (budget === undefined || (config.provider ?? 'cpu') !== 'cpu') return { graphs: fast, config: rest };
  const lowered = frequencyConvCount(fast);
  const hasConvs = lowered > 0 || fast.forward.nodes.some((n) => n.opType === 'Conv');
  let direct: TrainingGraphs | undefined;
  const graphsFor = (c: TrainingConfiguration): TrainingGraphs => (c.weightGradientGemms ? fast : (direct ??= build({ frequencyConvs: false, weightGradientGemms: false })));
  const estimates = new Map<TrainingGraphs, TrainingStepEstimate>();
  const estimateOf = (g: TrainingGraphs): TrainingStepEstimate => estimates.get(g) ?? (estimates.set(g, trainingStepEstimate(g)), estimates.get(g) as TrainingStepEstimate);
  const configurations = trainingConfigurations(lowersConvs(config), fused).filter((c) => hasConvs || c.weightGradientGemms);
  // Estimated in order; the first that fits ends the search (the direct graphs cost another autodiff).
  const candidates: (MemoryCandidate & { readonly training: TrainingConfiguration })[] = [];
  for (const training of configurations) {
    const bytes = trainingConfigurationBytes(estimateOf(graphsFor(training)), training);
    candidates.push({ configuration: { frequencyConvMaxBytes: 0, memoryArena: training.memoryArena, memoryPattern: training.memoryPattern }, bytes, training });
    if (bytes <= budget) break;
  }
  const choice = chooseConfiguration(candidates, budget);
  const chosen = (candidates.find((c) => c.configuration === choice.configuration) as (typeof candidates)[number]).training;
  onMemoryChoice?.(budgetChoiceMessage(choice, candidates[0], describeTrainingConfiguration(chosen, lowered), budget));
  return { graphs: graphsFor(chosen), config: { ...rest, memoryArena: chosen.memoryArena, memoryPattern: chosen.memoryPattern } };
}
