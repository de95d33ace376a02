/** Shared emitters used by several gradient rules. */
import { int64Tensor } from '../onnx/ir';
import { GradientContext } from './rule';

/**
 * Sum `grad` (shaped like a broadcast result `outShape`) down to `inShape`, as needed for inputs that were
 * broadcast in the forward pass. Returns `grad` unchanged when no reduction is needed.
 */
export function unbroadcast(ctx: GradientContext, grad: string, outShape: readonly number[], inShape: readonly number[]): string {
  const offset = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    const inDim = i < offset ? 1 : inShape[i - offset];
    if (i < offset || (inDim === 1 && outShape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return grad;
  const summed = ctx.op('ReduceSum', [grad, ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: { type: 'int', value: 1 } });
  return reshapeTo(ctx, summed, inShape);
}

export function reshapeTo(ctx: GradientContext, tensor: string, shape: readonly number[]): string {
  return ctx.op('Reshape', [tensor, ctx.addConstant('shape', int64Tensor([shape.length], shape))]);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Reduce over every axis except `keep` and return a 1-D tensor of that axis' length. */
export function sumAllBut(ctx: GradientContext, tensor: string, shape: readonly number[], keep: number): string {
  const axes = shape.map((_, i) => i).filter((i) => i !== keep);
  const summed = ctx.op('ReduceSum', [tensor, ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: { type: 'int', value: 0 } });
  return summed;
}
