/**
 * Pools a gate site's activations to one value per unit, [N, C], inside the graph, for the per-layer bias probe:
 * the units' axis is moved to axis 1, then every other axis is averaged. In a token model (given its attention
 * mask input) the sequence axis, axis 2 once the units are on axis 1 (an MLP site [N, L, F], a heads site
 * [N, H, L, head_dim]), is averaged over real tokens only: padding would otherwise pull every short text's
 * features towards the padded positions', which carry the length of the text, not its content.
 */
import { Node, Tensor, floatTensor, int64Tensor, intAttr, intsAttr } from '../onnx/ir';
import { NodeEmitter } from './node-emitter';

export interface PooledSite {
  readonly tensor: string;
  readonly rank: number;
  /** The units' axis. */
  readonly axis: number;
}

/**
 * Nodes (and their constants) that write `output` = the pooled `input` (the site's gated tensor). `attentionMask`:
 * the model's int mask input ([N, L], 1 for a real token), for a token model.
 */
export function sitePooling(site: PooledSite, input: string, output: string, opset: number, attentionMask?: string): { readonly nodes: readonly Node[]; readonly initializers: ReadonlyMap<string, Tensor> } {
  const e = new NodeEmitter(`${site.tensor}::pool`);
  const { rank, axis } = site;
  const perm = [0, axis, ...Array.from({ length: rank }, (_, k) => k).filter((k) => k !== 0 && k !== axis)];
  const moved = axis === 1 ? input : e.op('Transpose', [input], { perm: intsAttr(perm) });
  if (rank <= 2) e.op('Identity', [moved], {}, output);
  else if (attentionMask === undefined) e.op('GlobalAveragePool', [moved], {}, output);
  else {
    // [N, C, L, …] → [N, C, L]: axes past the sequence are averaged plainly (a head's features).
    const trailing = Array.from({ length: rank - 3 }, (_, k) => k + 3);
    const perToken = trailing.length === 0 ? moved : reduceMean(e, moved, trailing, opset);
    const mask = e.op('Cast', [attentionMask], { to: intAttr(1) });
    const column = e.reshape(mask, [0, -1, 1]);
    // Σ over real tokens, [N, C, 1], and their count (Σ m·m = Σ m for a 0/1 mask), [N, 1, 1], at least 1.
    const sum = e.op('MatMul', [perToken, column]);
    const count = e.op('MatMul', [e.reshape(mask, [0, 1, -1]), column]);
    const atLeastOne = e.op('Max', [count, e.constant('one', floatTensor([1], [1]))]);
    e.op('Flatten', [e.op('Div', [sum, atLeastOne])], { axis: intAttr(1) }, output);
  }
  return { nodes: e.nodes, initializers: e.initializers };
}

/** ReduceMean over `axes` without keeping them: axes as an attribute before opset 18, as an input from 18 on. */
function reduceMean(e: NodeEmitter, input: string, axes: readonly number[], opset: number): string {
  const keepdims = intAttr(0);
  if (opset < 18) return e.op('ReduceMean', [input], { axes: intsAttr(axes), keepdims });
  return e.op('ReduceMean', [input, e.constant('axes', int64Tensor([axes.length], axes))], { keepdims });
}
