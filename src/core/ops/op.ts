/**
 * One ONNX op, all its facts in one place (as JAX defines a primitive's abstract evaluation, differentiation and
 * batching rules side by side): what the engine accepts of it (signature), its shape rule, its gradient rule, its
 * channel rule for pruning and its float64 reference kernel. Adding an op is one file in this folder plus one
 * line in `index.ts`; a facet an op cannot have is an explicit `{ unsupported: why }`, never a silent gap, so
 * the error a user sees names the node, the op and the reason.
 */
import { Attribute, Node, Tensor } from '../onnx/ir';
import { GradientContext } from '../autodiff/rule';
import { OutputMaps, PruneContext } from '../prune/rule';
import { OpImpl } from './reference/tensor';

/** Output shapes for concrete input shapes; `constants` holds every tensor whose value is known at build time. */
export type ShapeRule = (
  node: Node,
  inShapes: ReadonlyArray<readonly number[] | undefined>,
  constants: ReadonlyMap<string, Tensor>,
) => number[][];

/** A facet the op does not have, and why (shown to the user with the node's name). */
export interface Unsupported {
  readonly unsupported: string;
}

export interface GradientFacet {
  /** The rule handles incoming gradients of a broadcastable (smaller) shape; others get them expanded. */
  readonly acceptsBroadcastGrad?: boolean;
  build(ctx: GradientContext): void;
}

export interface PruneFacet {
  /** Called when an input has lost channels or the node produces units; returns the outputs' channel maps. */
  pruneIn(ctx: PruneContext): OutputMaps;
  /** Keep only output channels `keep` (ascending original indices) of a unit-producing node. */
  pruneOut?(ctx: PruneContext, keep: readonly number[]): void;
}

export interface OpSignature {
  /** Fewest and most inputs (the ONNX operator specs, opsets 11–21); omitted optional inputs count. */
  readonly inputs: readonly [number, number];
  /** Most outputs the engine handles (default 1). */
  readonly outputs?: number;
  /** Types of the attributes the op reads; a model giving another type is refused at load. */
  readonly attributes?: Readonly<Record<string, Attribute['type']>>;
  /** Integer attributes that must be 0 or 1. */
  readonly flags?: readonly string[];
}

export interface OpDefinition {
  readonly opType: string;
  /**
   * 'model': accepted in a user's model. 'engine': only the engine's own graphs (backward, specialisations) emit
   * it, so a model that uses it is still refused at load with the op named.
   */
  readonly scope: 'model' | 'engine';
  readonly signature: OpSignature;
  readonly shape: ShapeRule;
  readonly gradient: GradientFacet | Unsupported;
  readonly prune: PruneFacet | Unsupported;
  readonly reference: OpImpl | Unsupported;
}

export function isUnsupported<T extends object>(facet: T | Unsupported): facet is Unsupported {
  return 'unsupported' in facet;
}

/** Identity helper that gives op files a checked literal type. */
export function defineOp(def: OpDefinition): OpDefinition {
  return def;
}
