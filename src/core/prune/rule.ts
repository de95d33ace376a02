/**
 * The vocabulary of a pruning rule (after Torch-Pruning's per-layer pruners): for one node, `pruneIn` adapts
 * the node to the channel maps of its inputs (slicing its constant inputs) and says which channels its outputs
 * carry; `pruneOut`, for nodes that produce a group's units, removes output channels. Rules see one node at a
 * time and never touch the source model: constants are replaced through the context.
 */
import { Attribute, Node, Tensor } from '../onnx/ir';
import { ChannelMap } from './channel-map';

export interface PruneContext {
  /** The node as it stands (inputs may already point at pruned copies of shared constants). */
  readonly node: Node;
  /** The model's default-domain opset. */
  readonly opset: number;
  /** Channel map of input i (its channels and the axis holding them); undefined for an omitted input or one of rank < 2. */
  inputMap(i: number): ChannelMap | undefined;
  /** Static shape of input i / output i in the original (unpruned) model. */
  inputShape(i: number): readonly number[];
  outputShape(i: number): readonly number[];
  /** Current value of input i when it is a constant (initializer or Constant node), else undefined. */
  constant(i: number): Tensor | undefined;
  /** Current value of constant input i, or a PruneError saying why the rule needs it constant. */
  requireConstant(i: number, what: string): Tensor;
  /**
   * A computed input written without the batch size (prune/batch-free-targets.ts): a Reshape's target, or shape
   * arithmetic with the same value at every batch size (Slice bounds from a channel count); undefined otherwise.
   * setConstant(i, …) may replace such a computed input by a constant.
   */
  batchFreeConstant(i: number): Tensor | undefined;
  /** Replace constant input i (a private copy is made when other nodes share the constant). */
  setConstant(i: number, value: Tensor): void;
  setAttribute(name: string, value: Attribute): void;
  /** Whether output i is read by a node or is a graph output. */
  outputUsed(i: number): boolean;
  /** Throw a PruneError naming this node and its op. */
  fail(detail: string): never;
}

/** One entry per node output; undefined for outputs of rank < 2. */
export type OutputMaps = readonly (ChannelMap | undefined)[];

export interface PruneRule {
  readonly opType: string;
  /** Called when an input has lost channels or the node produces units; returns the outputs' channel maps. */
  pruneIn(ctx: PruneContext): OutputMaps;
  /** Keep only output channels `keep` (ascending original indices) of a unit-producing node. */
  pruneOut?(ctx: PruneContext, keep: readonly number[]): void;
}
