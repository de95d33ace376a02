/**
 * The mask-learning step: forward(x, gates) -> logits, z; backward(upstream grads of logits and z) -> dL/dgate
 * per gate vector, as two sessions with any upstream gradients the caller computes between them (the benches'
 * surrogate loss that their PyTorch twins share, gradient checks). extract runs the step with its loss inside one
 * session instead (fused-step-runner.ts). specialize() skips pruned units' channels. forward() feeds an image
 * model's one float input; forwardInputs() feeds every data input by name (token ids, attention masks), each of
 * its own element type.
 */
import { Model } from '../onnx/ir';
import { GateGradientGraphs, GateGradientOptions, buildGateGradientGraphs } from '../graphs/gate-gradient-graphs';
import { ZeroChannelOptions } from '../graphs/zero-channels';
import { DifferentiableRunner, ForwardResult } from './differentiable-runner';
import { SessionConfig, ExecutionProvider } from './session';
import { InputData } from '../graphs/model-inputs';
import { GateInput } from '../graphs/gated-forward';

export interface GateForward {
  readonly logits: Float32Array;
  readonly z: Float32Array;
  /** Valid until the next forward() call. */
  readonly result: ForwardResult;
}

export class GateGradientRunner {
  /** Per gate on another axis than 1 (left dense): the units the last specialize() was asked to skip. */
  private notSkipped: readonly (ReadonlySet<number> | undefined)[] = [];

  private constructor(
    readonly graphs: GateGradientGraphs,
    private readonly runner: DifferentiableRunner,
  ) {}

  get provider(): ExecutionProvider {
    return this.runner.provider;
  }

  /**
   * `start`: 'dense' sessions, or sessions specialised for every gate open ('open-gates': all-ones gate vectors
   * without their Muls, graphs/one-gates.ts), as extract's first steps run; the dense pair is then built only if a
   * step closes a gate before the next specialize().
   */
  static async create(model: Model, options: GateGradientOptions, config: SessionConfig = {}, start: 'dense' | 'open-gates' = 'dense'): Promise<GateGradientRunner> {
    const graphs = buildGateGradientGraphs(model, options);
    const runner = await DifferentiableRunner.create(
      model,
      { forward: graphs.forward, forwardShapes: graphs.forwardShapes, backward: graphs.backward, seeds: [graphs.logits, graphs.bottleneck] },
      config,
      start === 'open-gates' ? { zero: new Map(), ones: new Set(graphs.gates.map((g) => g.name)) } : undefined,
    );
    return new GateGradientRunner(graphs, runner);
  }

  /**
   * Skip the channels of `pruned[i]` (units of gate vector i) until a step's gates reopen one of them. Channels are
   * followed on axis 1 only (graphs/zero-channels.ts): a gate on another axis (channels-last, a MatMul's last axis)
   * stays dense, and its request is only remembered, so that specializedPruned() does not ask for it again.
   */
  async specialize(pruned: readonly ReadonlySet<number>[], options: ZeroChannelOptions = {}): Promise<void> {
    const s = gateSpecialisation(this.graphs.gates, pruned);
    await this.runner.specialize(s.zero, options, s.ones);
    this.notSkipped = s.notSkipped;
  }

  /** Gate vectors (indices into `graphs.gates`) that the current specialisation assumes all ones. */
  specializedOnes(): ReadonlySet<number> {
    return onesByIndex(this.graphs.gates, this.runner.specializedOnes());
  }

  /** Units per gate vector that the current specialisation assumes pruned (empty sets when dense). */
  specializedPruned(): ReadonlySet<number>[] {
    return prunedByIndex(this.graphs.gates, this.runner.specializedZeros(), this.notSkipped);
  }

  /** The single data input's values (an image model's batch). */
  async forward(x: Float32Array, gates: readonly Float32Array[]): Promise<GateForward> {
    const g = this.graphs;
    if (g.inputs.length !== 1) throw new Error(`the model has ${g.inputs.length} data inputs (${g.inputs.map((v) => v.name).join(', ')}); feed them by name with forwardInputs()`);
    return this.forwardInputs({ [g.input]: x }, gates);
  }

  /** A value for every data input by name (graphs.inputs: names, element types, dims). */
  async forwardInputs(data: Readonly<Record<string, InputData>>, gates: readonly Float32Array[]): Promise<GateForward> {
    const g = this.graphs;
    const inputs: Record<string, InputData> = {};
    for (const v of g.inputs) inputs[v.name] = data[v.name];
    g.gates.forEach((gate, i) => (inputs[gate.name] = gates[i]));
    const result = await this.runner.forward(inputs);
    return { logits: result.outputs[g.logits], z: result.outputs[g.bottleneck], result };
  }

  /** Gradients of every gate vector (in `graphs.gates` order), then of each weight target. */
  async backward(forward: GateForward, dLogits: Float32Array, dZ: Float32Array): Promise<Float32Array[]> {
    return this.runner.backward(forward.result, { [this.graphs.logits]: dLogits, [this.graphs.bottleneck]: dZ });
  }

  async release(): Promise<void> {
    await this.runner.release();
  }
}

/**
 * What a step specialised for `pruned` (units per gate vector) assumes, by gate input name: the pruned channels of
 * gates on axis 1 are zero, and vectors with no pruned unit are all ones (forward gates are 0 or 1, bise/gate.ts;
 * their Muls go, one-gates.ts) — or, when `ones` is given, those of them it names (a caller that expects a vector to
 * lose a unit soon keeps its Muls rather than rebuild). Channels are followed on axis 1 only (zero-channels.ts): a
 * gate on another axis stays dense and its request is only remembered (`notSkipped`), so that prunedByIndex does not
 * ask for it again.
 */
export function gateSpecialisation(
  gates: readonly GateInput[],
  pruned: readonly ReadonlySet<number>[],
  ones?: ReadonlySet<number>,
): { zero: Map<string, ReadonlySet<number>>; ones: Set<string>; notSkipped: (ReadonlySet<number> | undefined)[] } {
  const onAxis1 = (i: number): boolean => gates[i].sites[0].axis === 1;
  const open = (i: number): boolean => (ones ? ones.has(i) : true) && (pruned[i]?.size ?? 0) === 0;
  return {
    zero: new Map(gates.flatMap((g, i) => (onAxis1(i) ? [[g.name, pruned[i] ?? new Set<number>()] as const] : []))),
    ones: new Set(gates.filter((_, i) => open(i)).map((g) => g.name)),
    notSkipped: gates.map((_, i) => (onAxis1(i) ? undefined : new Set(pruned[i] ?? []))),
  };
}

/** The gate vectors (indices) among the inputs a specialisation assumes all ones. */
export function onesByIndex(gates: readonly GateInput[], ones: ReadonlySet<string>): ReadonlySet<number> {
  return new Set(gates.flatMap((g, i) => (ones.has(g.name) ? [i] : [])));
}

/** Units per gate vector a specialisation assumes pruned: its zero channels, or what gateSpecialisation remembered. */
export function prunedByIndex(gates: readonly GateInput[], zero: ReadonlyMap<string, ReadonlySet<number>>, notSkipped: readonly (ReadonlySet<number> | undefined)[]): ReadonlySet<number>[] {
  return gates.map((g, i) => zero.get(g.name) ?? notSkipped[i] ?? new Set<number>());
}
