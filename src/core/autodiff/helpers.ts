/** Shared emitters used by several gradient rules. */
import { int64Tensor } from '../onnx/ir';
import { GradientContext } from './rule';

/** For a full-size broadcast result `outShape`: the gradient summed down to exactly `inShape`. */
export function unbroadcast(ctx: GradientContext, grad: string, outShape: readonly number[], inShape: readonly number[]): string {
  return reduceToInput(ctx, grad, outShape, inShape).name;
}

export interface ShapedGrad {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Sum `grad` (of shape `gradShape`, e.g. a broadcast result) down to what an input of shape `inShape` needs:
 * leading axes and axes where the input has size 1 are summed away. Axes where the gradient itself has size 1
 * stay 1, so the result may be smaller than the input but still broadcasts to it (see setInputGrad).
 */
export function reduceToInput(ctx: GradientContext, grad: string, gradShape: readonly number[], inShape: readonly number[]): ShapedGrad {
  const offset = gradShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < gradShape.length; i++) {
    if (i < offset || (inShape[i - offset] === 1 && gradShape[i] !== 1)) axes.push(i);
  }
  const kept = gradShape.slice(offset).map((d, i) => (inShape[i] === 1 ? 1 : d));
  if (axes.length === 0) return { name: grad, shape: kept };
  const summed = ctx.op('ReduceSum', [grad, ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: { type: 'int', value: 1 } });
  return { name: offset === 0 ? summed : reshapeTo(ctx, summed, kept), shape: kept };
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

/**
 * dY where `condition` (a bool tensor) holds, else 0, as dY · float(condition): onnxruntime runs Cast + Mul
 * ~2.8× faster than Where with a scalar 0 (ReLU gradient on [100, 64, 16, 16], 2 threads: 0.31 vs 0.87 ms). Mul
 * broadcasts a smaller dY as Where did. Differs from Where only where dY is ±∞ or NaN outside the condition.
 */
export function gradWhere(ctx: GradientContext, condition: string, dy: string): string {
  return ctx.op('Mul', [dy, ctx.op('Cast', [condition], { to: { type: 'int', value: 1 } })]);
}
