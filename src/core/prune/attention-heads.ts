/**
 * Pruning attention heads (units/attention-heads.ts): the channel maps through self-attention, where the op rules
 * of src/core/ops/defs see one node at a time and would refuse.
 *
 * - A Reshape that splits the last axis into [heads, head_dim] ([b, s, H·d] → [b, s, H, d]) whose kept channels
 *   are whole heads: the map moves to the heads axis (one entry per head), and the heads entry of the target
 *   shape becomes the kept count (a literal target, or the computed one written without the batch size,
 *   batch-free-targets.ts, so the export keeps its dynamic batch and sequence).
 * - A MatMul of two activations that carry the same heads on the same batch axis (Q·Kᵀ, probs·V): batch entry h
 *   pairs head h of both, so the output carries that map.
 * - A Softmax over other axes than the heads, on heads whose removed values depend on the input anyway (removed
 *   Q/K heads are the projections' own outputs until the context gate): they stay input-dependent, and
 *   removed-values.ts refuses them unless a gate zeroes them before a layer reads them.
 * The merge back ([b, s, H, d] → [b, s, H·d]) and the output projection's rows follow the ordinary Reshape and
 * MatMul rules. nn.MultiheadAttention's heads, merged into the batch axis, add the cuts of its fused in_proj and
 * the Reshapes into and out of the batch axis (fused-attention-heads.ts); its products and Softmax are the above.
 */
import { Node, int64Tensor } from '../onnx/ir';
import { normalisedAxes } from '../ops/softmax-family';
import { int64Values } from '../ops/shape-rules';
import { ChannelMap, describeMap, isPruned, sameMap } from './channel-map';
import { RemovedState } from './removed-values';
import { OutputMaps, PruneContext, PruneRule } from './rule';
import { inputDependentCut, mergedAxisRule } from './fused-attention-heads';

/** What the head rules read of the pruning in progress. */
export interface HeadPruningView {
  /** The model's default-domain opset (Softmax's axes). */
  readonly opset: number;
  inputMap(i: number): ChannelMap | undefined;
  inputShape(i: number): readonly number[] | undefined;
  outputShape(i: number): readonly number[] | undefined;
  inputState(i: number): RemovedState | undefined;
}

/** A head rule: the op's rule, plus the removed channels' states of its outputs, which removed-values.ts does not know for these forms. */
export type HeadRule = PruneRule & { states(): (RemovedState | undefined)[] };

/**
 * A rule for `n` when it is one of the attention forms above or of nn.MultiheadAttention's (heads merged into the
 * batch axis, fused-attention-heads.ts), else undefined (the op's own rule applies).
 */
export function attentionHeadRule(n: Node, view: HeadPruningView): HeadRule | undefined {
  if (n.domain !== '') return undefined;
  if (n.opType === 'Reshape') return headSplit(n, view) ?? mergedAxisRule(n, view);
  if (n.opType === 'Slice' || n.opType === 'Split') return inputDependentCut(n, view);
  if (n.opType === 'MatMul') return headMatMul(n, view);
  if (n.opType === 'Softmax') return headSoftmax(n, view);
  return undefined;
}

function removedOf(map: ChannelMap): number[] {
  const kept = new Set(map.kept);
  return Array.from({ length: map.size }, (_, c) => c).filter((c) => !kept.has(c));
}

function inputDependent(map: ChannelMap, origin: Node, from?: RemovedState): RemovedState {
  const values = new Float64Array(map.size);
  for (const c of removedOf(map)) values[c] = Number.NaN;
  return { values, origin: from?.origin ?? origin.name, originOp: from?.originOp ?? origin.opType };
}

function headSplit(n: Node, view: HeadPruningView): HeadRule | undefined {
  const map = view.inputMap(0);
  const [x, y] = [view.inputShape(0), view.outputShape(0)];
  if (!isPruned(map) || !x || !y || map.axis !== x.length - 1 || y.length !== x.length + 1) return undefined;
  const [heads, headDim] = y.slice(-2);
  if (!x.slice(0, -1).every((d, i) => d === y[i]) || heads * headDim !== map.size) return undefined;
  // Whole heads only: a head's channels all kept or all removed.
  const kept = new Set(map.kept);
  const keptHeads = Array.from({ length: heads }, (_, h) => h).filter((h) => kept.has(h * headDim));
  const whole = Array.from({ length: heads }, (_, h) => h).every((h) => Array.from({ length: headDim }, (_, j) => kept.has(h * headDim + j)).every((k) => k === kept.has(h * headDim)));
  if (!whole) return undefined;
  const out: ChannelMap = { size: heads, kept: keptHeads, axis: y.length - 2 };
  return {
    opType: 'Reshape',
    pruneIn(ctx: PruneContext): OutputMaps {
      const target = ctx.constant(1) ?? ctx.batchFreeConstant(1);
      if (!target) {
        ctx.fail(
          `it splits '${n.inputs[0]}' (${describeMap(map)}) into ${heads} heads of ${headDim}, and its target shape '${n.inputs[1]}' is computed from the batch size ` +
            'in a way that cannot be written without it, so its heads entry cannot become the kept count',
        );
      }
      const values = int64Values(target);
      const at = out.axis;
      if (values[at] === heads) values[at] = keptHeads.length;
      else if (values[at] !== -1 || values.some((v, i) => i !== at && v === -1)) {
        ctx.fail(`its target shape [${values.join(', ')}] does not give the heads axis ${at} as ${heads} or -1, so it cannot be rewritten to the ${keptHeads.length} kept heads`);
      }
      if (values[at] !== -1) ctx.setConstant(1, int64Tensor([...target.dims], values));
      return [out];
    },
    states() {
      const state = view.inputState(0);
      if (!state || removedOf(map).every((c) => state.values[c] === 0)) return [undefined];
      // A removed head holds one constant only if all of its channels do; anything else is input-dependent.
      const values = new Float64Array(heads);
      for (const h of removedOf(out)) {
        const first = state.values[h * headDim];
        values[h] = Array.from({ length: headDim }, (_, j) => state.values[h * headDim + j]).every((v) => v === first) ? first : Number.NaN;
      }
      return [{ values, origin: state.origin, originOp: state.originOp }];
    },
  };
}

function headMatMul(n: Node, view: HeadPruningView): HeadRule | undefined {
  const [a, b] = [view.inputMap(0), view.inputMap(1)];
  const [sa, sb, so] = [view.inputShape(0), view.inputShape(1), view.outputShape(0)];
  if (!isPruned(a) || !isPruned(b) || !sa || !sb || !so || sa.length !== sb.length || sa.length !== so.length) return undefined;
  // The heads on a batch axis of both operands (not one of the two axes the product contracts or keeps).
  if (a.axis >= sa.length - 2 || !sameMap(a, b)) return undefined;
  const out = a;
  return {
    opType: 'MatMul',
    pruneIn: () => [out],
    states() {
      const [ta, tb] = [view.inputState(0), view.inputState(1)];
      // A product with a head that is exactly 0 is 0; otherwise it depends on the input.
      const values = new Float64Array(out.size);
      for (const h of removedOf(out)) values[h] = (ta?.values[h] ?? 0) === 0 || (tb?.values[h] ?? 0) === 0 ? 0 : Number.NaN;
      const from = ta ?? tb;
      return [removedOf(out).some((h) => values[h] !== 0) ? { values, origin: from?.origin ?? n.name, originOp: from?.originOp ?? n.opType } : undefined];
    },
  };
}

function headSoftmax(n: Node, view: HeadPruningView): HeadRule | undefined {
  const map = view.inputMap(0);
  const x = view.inputShape(0);
  const state = view.inputState(0);
  if (!isPruned(map) || !x || x.length < 3) return undefined;
  if (normalisedAxes(n, x.length, view.opset).includes(map.axis) || !state || !removedOf(map).every((c) => Number.isNaN(state.values[c]))) return undefined;
  return {
    opType: 'Softmax',
    pruneIn: () => [map],
    states: () => [inputDependent(map, n, state)],
  };
}
