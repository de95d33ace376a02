/**
 * One Conv as a frequency-domain computation made of GEMMs: at these sizes the DFTs are small dense matrices
 * that MLAS multiplies far faster than the direct conv runs, and onnxruntime's FusedMatMul reads and writes
 * NCHW through its batch-transpose flags, so no Transpose pass over the activations is needed:
 *
 *   x [NC, H, W] --(rDFT along W; reads x as [H, W, NC])--> [(h, part), Kw·NC]
 *     --(DFT along H)--> re, im: [Ph, Kw, N, C] --(Σ_c per bin, complex)--> [Ph, (part, Kw), NM]
 *     --(inverse along W, half spectrum)--> [(part, Ph), NM, Wo] --(real part of inverse along H; reads it as
 *     [NM, (part, Ph), Wo])--> y [NM, Ho, Wo] (+ bias)
 *
 * About ten times fewer multiply-adds than a direct 7×7 conv at 28×28; equal to it up to float32 rounding.
 */
import { Node, Tensor, intAttr, makeTensor } from '../../onnx/ir';
import { NodeEmitter } from '../node-emitter';
import { FrequencyPlan } from './plan';
import { forwardComplexRows, forwardRealRows, halfBins, inverseHalfColumns, inverseRealRowsH, kernelSpectrum } from './spectra';

/** onnxruntime's contrib domain (FusedMatMul): lowered graphs run on its cpu provider only. */
export const MICROSOFT_DOMAIN = 'com.microsoft';

export interface LoweredConv {
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, Tensor>;
}

export interface ConvOperands {
  /** Unique prefix for the new tensor and node names. */
  readonly prefix: string;
  readonly x: string;
  readonly weight: Tensor;
  /** Bias tensor name ([M]), or '' when the conv has none. */
  readonly bias: string;
  readonly y: string;
}

export function lowerConv(plan: FrequencyPlan, ops: ConvOperands): LoweredConv {
  const { batch: n, inChannels: c, outChannels: m, inSize, outSize, periods } = plan;
  const [h, w] = inSize;
  const [ho, wo] = outSize;
  const [ph, pw] = periods;
  const kw = halfBins(pw);
  const emit = new NodeEmitter(ops.prefix);
  const constant = (what: string, dims: readonly number[], data: Float32Array): string => emit.constant(what, makeTensor('float32', dims, data));
  const op = emit.op.bind(emit);
  const reshape = emit.reshape.bind(emit);
  const fusedMatMul = (a: string, b: string, flags: Record<string, number>): string =>
    op('FusedMatMul', [a, b], Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, intAttr(v)])), undefined, MICROSOFT_DOMAIN);

  const spectrum = kernelSpectrum(ops.weight.data as Float32Array, plan);
  const kernelFromRe = constant('kernel_from_re', [ph, 2, kw, c, m], spectrum.fromRe);
  const kernelFromIm = constant('kernel_from_im', [ph, 2, kw, c, m], spectrum.fromIm);
  const dftW = constant('dft_w', [1, 2 * kw, w], forwardRealRows(w, pw));
  const dftH = forwardComplexRows(h, ph);
  const dftHRe = constant('dft_h_re', [ph, 2 * h], dftH.subarray(0, ph * 2 * h));
  const dftHIm = constant('dft_h_im', [ph, 2 * h], dftH.subarray(ph * 2 * h));
  const idftW = constant('idft_w', [2, 1, 2 * kw, wo], inverseHalfColumns(wo, pw, 1 / (ph * pw)));
  const idftH = constant('idft_h', [1, ho, 2 * ph], inverseRealRowsH(ho, ph));

  // x as [NC, H, W]; transBatchB + transB read it as [H, W, NC]: out [H, (part, Kw), NC].
  const rowsW = reshape(fusedMatMul(dftW, reshape(ops.x, [n * c, h, w]), { transB: 1, transBatchB: 1 }), [2 * h, kw * n * c]);
  const specRe = reshape(op('MatMul', [dftHRe, rowsW]), [ph, 1, kw, n, c]);
  const specIm = reshape(op('MatMul', [dftHIm, rowsW]), [ph, 1, kw, n, c]);
  const mixed = op('Add', [op('MatMul', [specRe, kernelFromRe]), op('MatMul', [specIm, kernelFromIm])]);
  // [Ph, (part, Kw), NM] read transposed per ph: out [(part', Ph), NM, Wo].
  const columns = reshape(fusedMatMul(reshape(mixed, [1, ph, 2 * kw, n * m]), idftW, { transA: 1 }), [2 * ph, n * m, wo]);
  // transBatchB reads [(part', Ph), NM, Wo] as [NM, (part', Ph), Wo]: out [NM, Ho, Wo], i.e. NCHW.
  const nchw = reshape(fusedMatMul(idftH, columns, { transBatchB: 1 }), [n, m, ho, wo]);
  if (ops.bias) op('Add', [nchw, reshape(ops.bias, [m, 1, 1])], {}, ops.y);
  else op('Identity', [nchw], {}, ops.y);
  return { nodes: emit.nodes, initializers: emit.initializers };
}
