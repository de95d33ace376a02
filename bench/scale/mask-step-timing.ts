/**
 * Times the BISE mask-learning step (gated forward, loss, backward to the gates, all gates open) of one model at one
 * batch size in this process, as extract runs it (FusedStepRunner, specialised for all-ones gates as extract's
 * first steps are), and samples this process's RSS after every step. Token models' two-session step: timeRunnerSteps.
 */
import { Model } from '../../src/core/onnx/ir';
import { GateForward, GateGradientRunner } from '../../src/core/runtime/gate-gradient-runner';
import { GateGradientGraphs } from '../../src/core/graphs/gate-gradient-graphs';
import { FusedStepResult, FusedStepRunner } from '../../src/core/runtime/fused-step-runner';
import { lossFeeds } from '../../src/core/graphs/loss-graph';
import { AuxHead } from '../../src/core/bise/aux-head';
import { createRng } from '../../src/core/data/random';
import { MIB, median, timeRepeated } from './stats';
import { MiCheck, rowSeparatingHead } from './mi-check';

export interface MaskStepSettings {
  readonly batch: number;
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
  /** Large stride-1 convs in the frequency domain, as the engine does by default (false: every conv direct). */
  readonly frequencyConv?: boolean;
  /** A memory budget for the step (extract's --memory-mb): the engine picks its configuration by it. */
  readonly memoryMb?: number;
}

export interface MaskStepTiming {
  readonly medianMs: number;
  readonly allMs: readonly number[];
  /** Milliseconds to build the forward/backward graphs and start their sessions. */
  readonly setupMs: number;
  readonly gateVectors: number;
  /** Largest RSS sampled after each step (warm-up included), MiB. */
  readonly stepRssMiB: number;
  /** Median CPU time of this process per timed step (all threads), ms: less sensitive to other processes than wall time. */
  readonly cpuMs?: number;
  /** What the memory budget chose, when one was given (runtime/memory-budget.ts). */
  readonly memoryChoice?: string;
}

const filled = (dims: readonly number[], f: (i: number) => number): Float32Array => Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i));

/**
 * The loss of the timed fused step, as the PyTorch twin of the families section (bench/torch-family-step.py) needs it
 * to compute the same loss (src/core/graphs/loss-graph.ts): L = α·Σ_i w_i·CE_i / N + γ·Σ_k MI_k(head_k(z)), each
 * head's W and b constants of the step.
 */
export interface StepLoss {
  /** Class labels of the batch's rows. */
  readonly y: readonly number[];
  readonly alpha: number;
  /** w_i per row (all 1: no reweighting, as extract's default). */
  readonly sampleWeights: readonly number[];
  readonly gamma: number;
  /** Rows each head's MI uses: those whose bias label differs from y, or all. */
  readonly miSamples: 'conflicting' | 'all';
  /** Per auxiliary head: its classes K, the rows' bias labels, and its weight [K·D] (row-major) and bias [K]. */
  readonly heads: readonly { readonly classes: number; readonly biasLabels: readonly number[]; readonly weight: readonly number[]; readonly bias: readonly number[] }[];
}

/** What `inspect` sees of the timed step: its graphs, its loss, and gate gradients (graphs.gates order). */
export interface StepInspection {
  readonly graphs: GateGradientGraphs;
  readonly loss: StepLoss;
  /** dL/dgate of the last timed step. */
  readonly gateGrads: readonly Float32Array[];
  /** One more step, untimed, of the MI terms alone (./mi-check.ts). */
  readonly miCheck: MiCheck;
}

/**
 * Times the step extract runs: forward + loss + backward in one session (FusedStepRunner), with one auxiliary head
 * of K bias classes, γ = 1 and 'conflicting' rows, as extract's defaults on a biased dataset.
 * `inspect`, when given, sees the step's graphs, loss and last gate gradients before the runner is released: the
 * families section describes the gates and the loss to its PyTorch twin with them.
 */
export async function timeMaskStep(model: Model, s: MaskStepSettings, inspect?: (step: StepInspection) => void): Promise<MaskStepTiming> {
  const t0 = performance.now();
  // As extract starts: with every gate open (all ones), the step graphs drop the gate Muls.
  let memoryChoice: string | undefined;
  const budget = s.memoryMb === undefined ? {} : { memoryBudgetBytes: s.memoryMb * MIB, onMemoryChoice: (m: string) => (memoryChoice = m) };
  const config = { threads: s.threads, frequencyConv: s.frequencyConv ?? true, ...budget };
  const classes = model.graph.outputs[0]?.shape?.[1];
  const k = typeof classes === 'number' ? classes : 10;
  const runner = await FusedStepRunner.create(model, { batchSize: s.batch }, { headClasses: [k], gamma: 1 }, config, 'open-gates');
  const timing = await timeFusedSteps(runner, k, s, performance.now() - t0, inspect);
  return memoryChoice === undefined ? timing : { ...timing, memoryChoice };
}

/**
 * The loss of the timed steps: labels spread over the classes, and one head's bias labels that agree with y on every
 * other row ('conflicting' selects the rest), its W and b drawn as extract's AuxHead draws them (seed 1).
 */
function benchLoss(n: number, zDim: number, classes: number): StepLoss {
  const head = new AuxHead(zDim, classes, createRng(1), { lr: 0.1, momentum: 0.9, weightDecay: 0 });
  const y = Array.from({ length: n }, (_, i) => i % classes);
  const biasLabels = y.map((v, i) => (i % 2 === 0 ? v : (v + 1) % classes));
  return {
    y,
    alpha: 1,
    sampleWeights: y.map(() => 1),
    gamma: 1,
    miSamples: 'conflicting',
    heads: [{ classes, biasLabels, weight: Array.from(head.weight), bias: Array.from(head.bias) }],
  };
}

/**
 * Times `repeats` fused steps (after `warmup`) with every gate open on x[i] = sin(i); samples RSS; shows the last
 * step to `inspect`; releases the runner. The runner's loss must have one head of `classes` classes and γ = 1.
 */
export async function timeFusedSteps(
  runner: FusedStepRunner,
  classes: number,
  s: { readonly warmup: number; readonly repeats: number },
  setupMs: number,
  inspect?: (step: StepInspection) => void,
): Promise<MaskStepTiming> {
  try {
    const g = runner.graphs;
    const x = filled(g.inputDims, (i) => Math.sin(i));
    const zDim = g.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
    const loss = benchLoss(g.logitsDims[0], zDim, classes);
    const heads = loss.heads.map((h) => ({ weight: Float32Array.from(h.weight), bias: Float32Array.from(h.bias) }));
    const feeds = lossFeeds(runner.loss, { ...loss, biases: loss.heads.map((h) => h.biasLabels), heads });
    const gates = g.gates.map((v) => new Float32Array(v.channels).fill(1));
    let stepRss = 0;
    let last: FusedStepResult | undefined;
    const cpu: number[] = [];
    const allMs = await timeRepeated(
      async () => {
        const c0 = process.cpuUsage();
        last = await runner.step({ [g.input]: x }, gates, feeds);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      },
      s.warmup,
      s.repeats,
      () => (stepRss = Math.max(stepRss, process.memoryUsage().rss)),
    );
    if (inspect && last) {
      // The step's views are reused by the next step; gateGrads lists the gate vectors first.
      const gateGrads = last.gateGrads.slice(0, g.gates.length).map((v) => v.slice());
      const z = last.z.slice();
      const checkHeads = heads.map((h) => rowSeparatingHead(h, z, g.logitsDims[0]));
      const miOnly = await runner.step({ [g.input]: x }, gates, lossFeeds(runner.loss, { ...loss, alpha: 0, biases: loss.heads.map((h) => h.biasLabels), heads: checkHeads }));
      inspect({ graphs: g, loss, gateGrads, miCheck: { heads: checkHeads, gateGrads: miOnly.gateGrads.slice(0, g.gates.length), z } });
    }
    return { medianMs: median(allMs), allMs, setupMs, gateVectors: g.gates.length, stepRssMiB: stepRss / MIB, cpuMs: median(cpu.slice(s.warmup)) };
  } finally {
    await runner.release();
  }
}

/**
 * Times `repeats` steps (after `warmup`) of a built two-session runner with every gate open: forward(gates), then the
 * backward with upstream gradients 0.01 for logits and z; samples RSS after every step and releases the runner.
 * The token models' step (./token-step-timing.ts): its PyTorch twin (bench/torch-transformer-step.py) backpropagates
 * that surrogate, 0.01·Σlogits + 0.01·Σz, and `inspect` sees the gate gradients of the last step to compare with.
 */
export async function timeRunnerSteps(
  runner: GateGradientRunner,
  forward: (gates: Float32Array[]) => Promise<GateForward>,
  s: { readonly warmup: number; readonly repeats: number },
  setupMs: number,
  inspect?: (graphs: GateGradientGraphs, lastGateGrads: readonly Float32Array[]) => void,
): Promise<MaskStepTiming> {
  try {
    const g = runner.graphs;
    const gates = g.gates.map((v) => new Float32Array(v.channels).fill(1));
    const dLogits = filled(g.logitsDims, () => 0.01);
    const dZ = filled(g.bottleneckDims, () => 0.01);
    let stepRss = 0;
    let lastGrads: readonly Float32Array[] = [];
    const cpu: number[] = [];
    const allMs = await timeRepeated(
      async () => {
        const c0 = process.cpuUsage();
        const fwd = await forward(gates);
        lastGrads = await runner.backward(fwd, dLogits, dZ);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      },
      s.warmup,
      s.repeats,
      () => (stepRss = Math.max(stepRss, process.memoryUsage().rss)),
    );
    inspect?.(g, lastGrads);
    return { medianMs: median(allMs), allMs, setupMs, gateVectors: g.gates.length, stepRssMiB: stepRss / MIB, cpuMs: median(cpu.slice(s.warmup)) };
  } finally {
    await runner.release();
  }
}
