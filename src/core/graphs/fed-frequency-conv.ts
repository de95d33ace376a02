/**
 * Large stride-1 convs of the weight-training graphs in the frequency domain, with the kernel's spectrum computed
 * in the graph from the fed weight, rewritten before autodiff so that the input and weight gradients are
 * frequency-domain products too. The direct form's weight gradient is a conv with a 28×28 "kernel" that onnxruntime
 * runs slower than the forward conv (SimpleConvNet at batch 100, one thread: forward 609, input gradient 956,
 * weight gradient 982 ms for its 64→128 layer); here all three are GEMMs. The transforms are the constant-weight
 * lowering's (frequency-conv/), laid out so that plain MatMul, Transpose, Split, Concat, Sub and Add (ops with
 * gradient rules) express them, with samples × channels as every GEMM's long axis and no transpose of a spectrum
 * whose inner axis is short (those ran at a fraction of memory speed):
 *
 *   x as [H, W, NC] --(W DFT)--> [(H, re/im), Kw·NC] --(H DFT)--> [(re/im, Ph, Kw) bins, N, C]
 *   --(per bin, complex: Xr·Kr − Xi·Ki, Xr·Ki + Xi·Kr)--> [(re/im, Ph), Kw·NM] --(H inverse)--> [(re/im, Ho), Kw, NM]
 *   --(to [Ho, (re/im, Kw), NM]; real part of the W inverse)--> [Ho·Wo, NM] --> y [N, M, Ho, Wo]
 *
 * with (Kr, Ki) [bins, C, M] = (cos, sin of each tap's phase) · W. Equal to the direct conv up to float32 rounding.
 * Measured in one process, alternating steps, batch 100 (a loaded 2-core machine, process CPU time): SimpleConvNet's
 * training step 3,150 → 910 ms. The spectra and products cost memory: its peak RSS 623 → 1,109 MiB.
 */
import { Graph, Node, int64Tensor, intAttr, intsAttr, makeTensor } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { NodeEmitter } from './node-emitter';
import { NodeReplacement, RewrittenGraph, replaceNodes } from './rewrite-nodes';
import { FrequencyPlan, LOWERING_COST_RATIO, planFrequencyConv, worthLowering } from './frequency-conv/plan';
import { forwardComplexRows, forwardRealRows, halfBins } from './frequency-conv/spectra';

/** `costRatio`: as the constant-weight lowering's (plan.ts LOWERING_COST_RATIO); tests force it with Infinity. */
export function frequencyConvsWithFedWeights(graph: Graph, shapes: ShapeMap, costRatio = LOWERING_COST_RATIO): RewrittenGraph {
  const fed = new Set(graph.inputs.map((v) => v.name));
  return replaceNodes(graph, (node, index) => {
    if (node.opType !== 'Conv' || node.domain !== '' || !fed.has(node.inputs[1])) return undefined;
    const [x, w, y] = [shapes.get(node.inputs[0]), shapes.get(node.inputs[1]), shapes.get(node.outputs[0])];
    const plan = x && w && y ? planFrequencyConv(node, x, w, y) : undefined;
    if (!plan || !worthLowering(plan, costRatio)) return undefined;
    return lowerFedConv(plan, node, `ffconv${index}/${node.name}`);
  });
}

function lowerFedConv(plan: FrequencyPlan, node: Node, prefix: string): NodeReplacement {
  const { batch: n, inChannels: c, outChannels: m, inSize, outSize, kernel, periods } = plan;
  const [h, w] = inSize;
  const [ho, wo] = outSize;
  const [ph, pw] = periods;
  const kw = halfBins(pw);
  const bins = ph * kw;
  const taps = kernel[0] * kernel[1];
  const emit = new NodeEmitter(prefix);
  const op = emit.op.bind(emit);
  const reshape = emit.reshape.bind(emit);
  const constant = (what: string, dims: readonly number[], data: Float32Array): string => emit.constant(what, makeTensor('float32', dims, data));
  const transpose2d = (t: string, rows: number, cols: number): string => op('Transpose', [reshape(t, [rows, cols])], { perm: intsAttr([1, 0]) });

  // Kernel spectrum from the fed weight, per part [bins, C, M]: one GEMM each with the taps' twiddles.
  const twiddles = tapTwiddles(plan);
  const weightRows = reshape(op('Transpose', [reshape(node.inputs[1], [m, c, taps])], { perm: intsAttr([2, 1, 0]) }), [taps, c * m]);
  const kr = reshape(op('MatMul', [constant('twiddle_cos', [bins, taps], twiddles.cos), weightRows]), [bins, c, m]);
  const ki = reshape(op('MatMul', [constant('twiddle_sin', [bins, taps], twiddles.sin), weightRows]), [bins, c, m]);

  // The samples and channels are the GEMMs' long axis throughout: x as [H, W, NC], spectra as [(part, bin), NC].
  const columns = reshape(transpose2d(node.inputs[0], n * c, h * w), [h, w, n * c]);
  const rowsW = reshape(op('MatMul', [constant('dft_w', [2 * kw, w], forwardRealRows(w, pw)), columns]), [2 * h, kw * n * c]);
  const spectrum = reshape(op('MatMul', [constant('dft_h', [2 * ph, 2 * h], forwardComplexRows(h, ph)), rowsW]), [2, bins, n, c]);
  const [xr, xi] = realAndImaginary(emit, spectrum).map((part) => reshape(part, [bins, n, c]));
  const product = (a: string, b: string): string => op('MatMul', [a, b]);
  const outRe = op('Sub', [product(xr, kr), product(xi, ki)]);
  const outIm = op('Add', [product(xr, ki), product(xi, kr)]);
  const mixed = reshape(op('Concat', [reshape(outRe, [1, bins * n * m]), reshape(outIm, [1, bins * n * m])], { axis: intAttr(0) }), [2 * ph, kw * n * m]);
  const inverseH = reshape(op('MatMul', [constant('idft_h', [2 * ho, 2 * ph], inverseComplexRows(ho, ph)), mixed]), [2, ho, kw, n * m]);
  const perRow = reshape(op('Transpose', [inverseH], { perm: intsAttr([1, 0, 2, 3]) }), [ho, 2 * kw, n * m]);
  const image = op('MatMul', [constant('idft_w', [wo, 2 * kw], inverseRealColumns(wo, pw, 1 / (ph * pw))), perRow]);
  const nchw = reshape(transpose2d(image, ho * wo, n * m), [n, m, ho, wo], node.inputs[2] ? undefined : node.outputs[0]);
  if (node.inputs[2]) op('Add', [nchw, reshape(node.inputs[2], [m, 1, 1])], {}, node.outputs[0]);
  return { nodes: emit.nodes, initializers: emit.initializers };
}

/** The two halves of a [2, …] spectrum along axis 0 (one Split; its gradient rule concatenates them back). */
function realAndImaginary(emit: NodeEmitter, spectrum: string): [string, string] {
  const parts: [string, string] = [emit.name('re'), emit.name('im')];
  emit.nodes.push({ name: emit.name('Split'), opType: 'Split', domain: '', inputs: [spectrum, emit.constant('halves', int64Tensor([2], [1, 1]))], outputs: parts, attributes: { axis: intAttr(0) } });
  return parts;
}

/**
 * Inverse DFT along H, complex to complex: [2·Ho, 2·P], rows (part, ho), columns (part, g):
 * (yr + i·yi)·e^{+iα} = (yr·cos α − yi·sin α) + i(yr·sin α + yi·cos α), α = 2π·g·ho/P.
 */
function inverseComplexRows(outRows: number, p: number): Float32Array {
  const out = new Float32Array(2 * outRows * 2 * p);
  for (let i = 0; i < outRows; i++) {
    for (let g = 0; g < p; g++) {
      const a = (2 * Math.PI * ((g * i) % p)) / p;
      const [cos, sin] = [Math.cos(a), Math.sin(a)];
      out[i * 2 * p + g] = cos;
      out[i * 2 * p + p + g] = -sin;
      out[(outRows + i) * 2 * p + g] = sin;
      out[(outRows + i) * 2 * p + p + g] = cos;
    }
  }
  return out;
}

/**
 * Real part of the inverse along W from the half spectrum: [Wo, 2·Kw], columns (part, f), scaled by `scale`; bins
 * other than 0 and Nyquist count twice (they stand for their mirror, whose term is the conjugate).
 */
function inverseRealColumns(outCols: number, p: number, scale: number): Float32Array {
  const kw = halfBins(p);
  const out = new Float32Array(outCols * 2 * kw);
  for (let j = 0; j < outCols; j++) {
    for (let f = 0; f < kw; f++) {
      const weight = (f === 0 || 2 * f === p ? 1 : 2) * scale;
      const a = (2 * Math.PI * ((f * j) % p)) / p;
      out[j * 2 * kw + f] = weight * Math.cos(a);
      out[j * 2 * kw + kw + f] = -weight * Math.sin(a);
    }
  }
  return out;
}

/**
 * cos and sin of θ = 2π(fh·a/Ph + fw·b/Pw) per bin (fh, fw) and tap (u, v) at offset (a, b) = (u·dh − padTop,
 * v·dw − padLeft): K = Σ w·e^{iθ}, as kernelSpectrum (frequency-conv/spectra.ts) but as matrices [bins, taps].
 */
export function tapTwiddles(plan: FrequencyPlan): { cos: Float32Array; sin: Float32Array } {
  const [kh, kwTaps] = plan.kernel;
  const [ph, pw] = plan.periods;
  const kw = halfBins(pw);
  const cos = new Float32Array(ph * kw * kh * kwTaps);
  const sin = new Float32Array(cos.length);
  for (let fh = 0; fh < ph; fh++) {
    for (let fw = 0; fw < kw; fw++) {
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kwTaps; v++) {
          const a = u * plan.dilations[0] - plan.padBegin[0];
          const b = v * plan.dilations[1] - plan.padBegin[1];
          const theta = 2 * Math.PI * ((fh * a) / ph + (fw * b) / pw);
          const at = (fh * kw + fw) * kh * kwTaps + u * kwTaps + v;
          cos[at] = Math.cos(theta);
          sin[at] = Math.sin(theta);
        }
      }
    }
  }
  return { cos, sin };
}
