/**
 * Times the BISE mask-learning step (gated forward + backward to the gates, all gates open) of one model at one
 * batch size in this process, as the engine runs it (GateGradientRunner, specialised for all-ones gates as extract's
 * first steps are), and samples this process's RSS after every step.
 */
import { Model } from '../../src/core/onnx/ir';
import { GateForward, GateGradientRunner } from '../../src/core/runtime/gate-gradient-runner';
import { GateGradientGraphs } from '../../src/core/graphs/gate-gradient-graphs';
import { MIB, median, timeRepeated } from './stats';

export interface MaskStepSettings {
  readonly batch: number;
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
  /** Large stride-1 convs in the frequency domain, as the engine does by default (false: every conv direct). */
  readonly frequencyConv?: boolean;
}

export interface MaskStepTiming {
  readonly medianMs: number;
  readonly allMs: readonly number[];
  /** Milliseconds to build the forward/backward graphs and start their sessions. */
  readonly setupMs: number;
  readonly gateVectors: number;
  /** Largest RSS sampled after each step (warm-up included), MiB. */
  readonly stepRssMiB: number;
}

const filled = (dims: readonly number[], f: (i: number) => number): Float32Array => Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i));

/**
 * `inspect`, when given, sees the step's graphs and the gate gradients of the last timed step (in `graphs.gates`
 * order) before the runner is released: the families section describes the gates to its PyTorch twin with them.
 */
export async function timeMaskStep(model: Model, s: MaskStepSettings, inspect?: (graphs: GateGradientGraphs, lastGateGrads: readonly Float32Array[]) => void): Promise<MaskStepTiming> {
  const t0 = performance.now();
  // As extract starts: with every gate open (all ones), the step graphs drop the gate Muls.
  const runner = await GateGradientRunner.create(model, { batchSize: s.batch }, { threads: s.threads, frequencyConv: s.frequencyConv ?? true }, 'open-gates');
  const setupMs = performance.now() - t0;
  const g = runner.graphs;
  const x = filled(g.inputDims, (i) => Math.sin(i));
  return timeRunnerSteps(runner, (gates) => runner.forward(x, gates), s, setupMs, inspect);
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
    const allMs = await timeRepeated(
      async () => {
        const fwd = await forward(gates);
        lastGrads = await runner.backward(fwd, dLogits, dZ);
      },
      s.warmup,
      s.repeats,
      () => (stepRss = Math.max(stepRss, process.memoryUsage().rss)),
    );
    inspect?.(g, lastGrads);
    return { medianMs: median(allMs), allMs, setupMs, gateVectors: g.gates.length, stepRssMiB: stepRss / MIB };
  } finally {
    await runner.release();
  }
}
