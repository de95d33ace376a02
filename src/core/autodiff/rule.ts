/**
 * The small vocabulary a gradient rule speaks (after onnxruntime's gradient builders): it reads the forward
 * node's inputs/outputs, the incoming gradients of its outputs, and emits ONNX nodes that produce the gradients
 * of the inputs that need one. Rules never see protobuf or the rest of the graph.
 */
import { Attribute, Node, Tensor } from '../onnx/ir';

export interface GradientContext {
  readonly node: Node;
  /** The forward model's default-domain opset (an op's meaning can change with it: Softmax's axis before 13). */
  readonly opset: number;
  /** Forward input / output tensor names ('' for an omitted optional input). */
  input(i: number): string;
  output(i: number): string;
  /** Static shape of any forward tensor. */
  shape(name: string): readonly number[];
  /** The value of a forward tensor when it is a constant (initializer or Constant node), else undefined. */
  constant(name: string): Tensor | undefined;
  /**
   * Name of the incoming gradient of output i, or undefined when no gradient flows into it. Its shape equals the
   * output's, unless the rule sets `acceptsBroadcastGrad`: then it may be any shape that broadcasts to it.
   */
  outputGrad(i: number): string | undefined;
  /** Shape of outputGrad(i) (equal to the output's shape unless the rule accepts broadcast gradients). */
  outputGradShape(i: number): readonly number[];
  /** Whether the gradient of input i is needed (it leads back to a target). */
  needsGrad(i: number): boolean;
  /**
   * Declare `tensor` as the gradient of input i. Its shape is the input's unless `shape` says otherwise; a smaller
   * shape that broadcasts to the input's is allowed and saves materialising e.g. a spatially constant gradient.
   */
  setInputGrad(i: number, tensor: string, shape?: readonly number[]): void;
  /** Emit one node; returns its output names (fresh ones derived from `hint`). */
  emit(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>, outputCount?: number): string[];
  /** Emit a node with a single output and return its name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string;
  /** Add a constant tensor to the backward graph and return its name. */
  addConstant(hint: string, value: Tensor): string;
}

export interface GradientRule {
  readonly opType: string;
  /** The rule handles incoming gradients of a broadcastable (smaller) shape; others get them expanded. */
  readonly acceptsBroadcastGrad?: boolean;
  build(ctx: GradientContext): void;
}

/** Error for a node that has no rule, or whose attributes a rule does not handle. */
export class GradientError extends Error {
  constructor(node: Node, detail: string) {
    super(`cannot differentiate node '${node.name}' (${node.opType}): ${detail}`);
    this.name = 'GradientError';
  }
}
