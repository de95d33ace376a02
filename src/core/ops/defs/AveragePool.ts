import { attrInt, intAttr, intsAttr, makeTensor } from '../../onnx/ir';
import { WindowGeometry } from '../../onnx/conv-geometry';
import { GradientContext, GradientError } from '../../autodiff/rule';
import { reshapeTo } from '../../autodiff/helpers';
import { channelsFirst } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { poolGeometry, poolInput, pooledShape } from '../pool-shape';
import { averagePool } from '../reference/pool';

export const AveragePool = defineOp({
  opType: 'AveragePool',
  scope: 'model',
  signature: {
    inputs: [1, 1],
    attributes: { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', auto_pad: 'string', ceil_mode: 'int', count_include_pad: 'int' },
    flags: ['ceil_mode', 'count_include_pad'],
  },
  shape: (n, s) => [pooledShape(n, poolInput(n, s))],
  /**
   * Each output of AveragePool is a window sum divided by a divisor, so dX scatters dY / divisor back over the
   * window. Static shapes make the divisor map a constant; it follows onnxruntime's convention: with
   * count_include_pad the window is clipped to the padded input (ceil_mode windows may stick out past it),
   * without it to the real input. The scatter is a ConvTranspose with an all-ones kernel over [N·C, 1, …], so the
   * kernel does not depend on the channel count.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.shape(ctx.input(0));
      const y = ctx.shape(ctx.output(0));
      const spatialIn = x.slice(2);
      const spatialOut = y.slice(2);
      const geom = poolGeometry(ctx.node, x);
      if (geom.dilations.some((d) => d !== 1)) throw new GradientError(ctx.node, `dilations [${geom.dilations.join(', ')}] are not supported`);
      const countIncludePad = attrInt(ctx.node, 'count_include_pad', 0) === 1;

      const divisors = divisorMap(geom, spatialIn, spatialOut, countIncludePad);
      const averaged = ctx.op('Div', [dy, ctx.addConstant('divisors', makeTensor('float32', spatialOut, divisors))]);
      const perChannel = reshapeTo(ctx, averaged, [x[0] * x[1], 1, ...spatialOut]);
      const scattered = scatterWindows(ctx, perChannel, geom, spatialIn, spatialOut);
      ctx.setInputGrad(0, reshapeTo(ctx, scattered, x));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: channelsFirst('AveragePool'),
  reference: averagePool,
});

/** How many values each output position averaged, per onnxruntime's pooling kernel. */
function divisorMap(geom: WindowGeometry, spatialIn: readonly number[], spatialOut: readonly number[], countIncludePad: boolean): Float32Array {
  const r = spatialIn.length;
  // Per spatial axis, the divisor factor of every output coordinate; the map is their outer product.
  const factors = spatialOut.map((outSize, axis) =>
    Array.from({ length: outSize }, (_, o) => {
      const start = o * geom.strides[axis] - geom.pads[axis];
      const end = Math.min(start + geom.kernel[axis], spatialIn[axis] + geom.pads[axis + r]);
      if (countIncludePad) return end - start;
      return Math.min(end, spatialIn[axis]) - Math.max(start, 0);
    }),
  );
  const total = spatialOut.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let divisor = 1;
    for (let axis = r - 1; axis >= 0; axis--) {
      divisor *= factors[axis][rest % spatialOut[axis]];
      rest = Math.floor(rest / spatialOut[axis]);
    }
    out[flat] = divisor;
  }
  return out;
}

/**
 * Sum every output gradient into the input positions of its window: ConvTranspose with a ones kernel. The
 * forward's begin pads keep windows aligned; the end pad / output_padding make the result exactly the input
 * size (input positions no window reached get zero).
 */
function scatterWindows(ctx: GradientContext, grad: string, geom: WindowGeometry, spatialIn: readonly number[], spatialOut: readonly number[]): string {
  const r = spatialIn.length;
  const reach = spatialOut.map((o, i) => geom.strides[i] * (o - 1) + geom.kernel[i] - geom.pads[i]);
  const endPads = reach.map((reached, i) => Math.max(0, reached - spatialIn[i]));
  const outputPadding = reach.map((reached, i) => Math.max(0, spatialIn[i] - reached));
  const kernelSize = geom.kernel.reduce((a, b) => a * b, 1);
  const ones = ctx.addConstant('ones_kernel', makeTensor('float32', [1, 1, ...geom.kernel], new Float32Array(kernelSize).fill(1)));
  return ctx.op('ConvTranspose', [grad, ones], {
    kernel_shape: intsAttr(geom.kernel),
    strides: intsAttr(geom.strides),
    pads: intsAttr([...geom.pads.slice(0, r), ...endPads]),
    output_padding: intsAttr(outputPadding),
    group: intAttr(1),
  });
}
