/**
 * Times the BISE mask-learning step (gated forward, loss, backward to the gates, all gates open) of one model at one
 * batch size in this process, as extract runs it (FusedStepRunner, specialised for all-ones gates as extract's
 * first steps are), and samples this process's RSS after every step.
 */
import { Model } from '../../src/core/onnx/ir';
import { GateForward, GateGradientRunner } from '../../src/core/runtime/gate-gradient-runner';
import { GateGradientGraphs } from '../../src/core/graphs/gate-gradient-graphs';
import { FusedStepRunner } from '../../src/core/runtime/fused-step-runner';
import { lossFeeds } from '../../src/core/graphs/loss-graph';
import { AuxHead } from '../../src/core/bise/aux-head';
import { createRng } from '../../src/core/data/random';
import { MIB, median, timeRepeated } from './stats';

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
 * Times the step extract runs: forward + loss + backward in one session (FusedStepRunner), with one auxiliary head
 * of K bias classes, γ = 1 and 'conflicting' rows, as extract's defaults on a biased dataset.
 * `inspect`, when given, sees the step's graphs and the gate gradients of the last timed step (in `graphs.gates`
 * order) before the runner is released: the families section describes the gates to its PyTorch twin with them.
 * Its twin backpropagates 0.01·Σlogits + 0.01·Σz, so with `inspect` the two-session step with those upstream
 * gradients is timed instead (timeRunnerSteps): the twin has no BISE loss to compare the fused step's gradients with.
 */
export async function timeMaskStep(model: Model, s: MaskStepSettings, inspect?: (graphs: GateGradientGraphs, lastGateGrads: readonly Float32Array[]) => void): Promise<MaskStepTiming> {
  const t0 = performance.now();
  // As extract starts: with every gate open (all ones), the step graphs drop the gate Muls.
  let memoryChoice: string | undefined;
  const budget = s.memoryMb === undefined ? {} : { memoryBudgetBytes: s.memoryMb * MIB, onMemoryChoice: (m: string) => (memoryChoice = m) };
  const config = { threads: s.threads, frequencyConv: s.frequencyConv ?? true, ...budget };
  let timing: MaskStepTiming;
  if (inspect) {
    const runner = await GateGradientRunner.create(model, { batchSize: s.batch }, config, 'open-gates');
    const x = filled(runner.graphs.inputDims, (i) => Math.sin(i));
    timing = await timeRunnerSteps(runner, (gates) => runner.forward(x, gates), s, performance.now() - t0, inspect);
  } else {
    const classes = model.graph.outputs[0]?.shape?.[1];
    const k = typeof classes === 'number' ? classes : 10;
    const runner = await FusedStepRunner.create(model, { batchSize: s.batch }, { headClasses: [k], gamma: 1 }, config, 'open-gates');
    timing = await timeFusedSteps(runner, k, s, performance.now() - t0);
  }
  return memoryChoice === undefined ? timing : { ...timing, memoryChoice };
}

/** Times `repeats` fused steps (after `warmup`) with every gate open on x[i] = sin(i); samples RSS; releases the runner. */
export async function timeFusedSteps(runner: FusedStepRunner, classes: number, s: { readonly warmup: number; readonly repeats: number }, setupMs: number): Promise<MaskStepTiming> {
  try {
    const g = runner.graphs;
    const x = filled(g.inputDims, (i) => Math.sin(i));
    const n = g.logitsDims[0];
    const zDim = g.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
    const head = new AuxHead(zDim, classes, createRng(1), { lr: 0.1, momentum: 0.9, weightDecay: 0 });
    // Labels spread over the classes; the bias label agrees with y on every other row ('conflicting' selects the rest).
    const y = Int32Array.from({ length: n }, (_, i) => i % classes);
    const bias = Int32Array.from(y, (v, i) => (i % 2 === 0 ? v : (v + 1) % classes));
    const feeds = lossFeeds(runner.loss, { y, alpha: 1, biases: [bias], heads: [head], miSamples: 'conflicting' });
    const gates = g.gates.map((v) => new Float32Array(v.channels).fill(1));
    let stepRss = 0;
    const cpu: number[] = [];
    const allMs = await timeRepeated(
      async () => {
        const c0 = process.cpuUsage();
        await runner.step({ [g.input]: x }, gates, feeds);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      },
      s.warmup,
      s.repeats,
      () => (stepRss = Math.max(stepRss, process.memoryUsage().rss)),
    );
    return { medianMs: median(allMs), allMs, setupMs, gateVectors: g.gates.length, stepRssMiB: stepRss / MIB, cpuMs: median(cpu.slice(s.warmup)) };
  } finally {
    await runner.release();
  }
}

/**
 * Times `repeats` steps (after `warmup`) of a built runner with every gate open: forward(gates), then the backward
 * with upstream gradients 0.01 for logits and z; samples RSS after every step and releases the runner.
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
