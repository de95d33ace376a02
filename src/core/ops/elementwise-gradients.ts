/** Pieces shared by the elementwise ops' gradient facets (defs/*.ts). */
import { floatTensor, intAttr } from '../onnx/ir';
import { GradientContext } from '../autodiff/rule';
import { unbroadcast } from '../autodiff/helpers';
import { Unsupported } from './op';

/**
 * Comparisons and logic ops: their outputs are booleans, piecewise constant in the inputs, so nothing flows back.
 * The backward pass never asks for it: it stops gradients at boolean and integer tensors (output-dtypes.ts).
 */
export function booleanOutput(opType: string): Unsupported {
  return {
    unsupported: `${opType} outputs booleans, which are piecewise constant in its inputs, so no gradient flows back through it; gradients stop at boolean tensors`,
  };
}

/** A float32 scalar constant in the backward graph. */
export function scalar(ctx: GradientContext, hint: string, value: number): string {
  return ctx.addConstant(hint, floatTensor([], [value]));
}

/**
 * Min / Max: dY goes to the inputs equal to the output, split evenly where k inputs tie (each gets dY/k), then
 * summed over the axes each input was broadcast along. This is PyTorch's choice (torch.maximum/minimum give
 * dY/2 to each of two tied operands, amax/amin dY/k) and what central differences measure at a two-way tie; it
 * keeps the total at dY. (onnxruntime's training gradient, two inputs only, gives all of dY to the second.)
 */
export function extremumGradient(ctx: GradientContext): void {
  const dy = ctx.outputGrad(0);
  if (!dy) return;
  const inputs = ctx.node.inputs;
  const outShape = ctx.shape(ctx.output(0));
  if (inputs.length === 1) {
    if (ctx.needsGrad(0)) ctx.setInputGrad(0, dy);
    return;
  }
  const masks = inputs.map((x) => ctx.op('Cast', [ctx.op('Equal', [x, ctx.output(0)])], { to: intAttr(1) }));
  const share = ctx.op('Div', [dy, ctx.op('Sum', masks)]);
  inputs.forEach((x, i) => {
    if (ctx.needsGrad(i)) ctx.setInputGrad(i, unbroadcast(ctx, ctx.op('Mul', [share, masks[i]]), outShape, ctx.shape(x)));
  });
}
