/**
 * Whether and how a Conv is computed in the frequency domain: the DFT periods that make circular correlation
 * equal to the zero-padded one, and a cost model (multiply-adds plus memory passes) against the direct conv.
 * Only 2-D, stride-1, ungrouped convolutions with a constant weight qualify: the mask-learning graphs' convs and
 * their input gradients (ops/defs/Conv.ts emits them as such convs).
 */
import { Node, attrInt } from '../../onnx/ir';
import { Conv2dSizes, windowGeometry } from '../../onnx/conv-geometry';
import { halfBins } from './spectra';

export interface FrequencyPlan extends Conv2dSizes {
  /** DFT length per spatial axis. */
  readonly periods: readonly [number, number];
  /** Estimated cost of the direct and the frequency-domain conv, in multiply-add equivalents. */
  readonly directCost: number;
  readonly frequencyCost: number;
}

/**
 * Lower only when the estimate is well below the direct cost: measured on one thread (scratch calibration of
 * single convs, batch 100), the real time ratio is ~2.7–3.5× the estimated one (the direct NCHWc kernels run
 * near peak; the lowered graph has more memory passes), e.g. estimate 0.10 -> measured 0.27 (7×7, 64->128,
 * 28×28), 0.26 -> 0.75 (7×7, 16->32), 0.30 -> 0.94 (5×5, 32->64), 0.45 -> 1.6 (3×3 at 8×8).
 */
export const LOWERING_COST_RATIO = 0.28;

/**
 * Smallest period so that no output reads a wrapped-around input: taps at offsets [−padBegin, span−1−padBegin],
 * inputs [0, n), outputs [0, out).
 */
export function period(n: number, out: number, span: number, padBegin: number): number {
  return Math.max(n + padBegin, out + span - 1 - padBegin, span, n, out);
}

export function planFrequencyConv(node: Node, x: readonly number[], w: readonly number[], y: readonly number[]): FrequencyPlan | undefined {
  if (x.length !== 4 || w.length !== 4 || y.length !== 4 || attrInt(node, 'group', 1) !== 1) return undefined;
  const geom = windowGeometry(node, x.slice(2), w.slice(2));
  if (geom.strides.some((s) => s !== 1)) return undefined;
  const [n, c, h, wd] = x;
  const [m, , kh, kw] = w;
  const [ho, wo] = [y[2], y[3]];
  const spans = [(kh - 1) * geom.dilations[0] + 1, (kw - 1) * geom.dilations[1] + 1];
  const periods: [number, number] = [period(h, ho, spans[0], geom.pads[0]), period(wd, wo, spans[1], geom.pads[1])];
  const plan = {
    batch: n,
    inChannels: c,
    outChannels: m,
    inSize: [h, wd] as [number, number],
    outSize: [ho, wo] as [number, number],
    kernel: [kh, kw] as [number, number],
    dilations: [geom.dilations[0], geom.dilations[1]] as [number, number],
    padBegin: [geom.pads[0], geom.pads[1]] as [number, number],
    periods,
  };
  return { ...plan, directCost: n * m * c * ho * wo * kh * kw, frequencyCost: frequencyCost(plan) };
}

/** The kernel spectra of one conv take ~40× its 7×7 weights; beyond this the direct conv is kept. */
export const MAX_SPECTRUM_BYTES = 256 * 2 ** 20;

export function spectrumBytes(plan: FrequencyPlan): number {
  return 2 * plan.periods[0] * 2 * halfBins(plan.periods[1]) * plan.inChannels * plan.outChannels * 4;
}

/**
 * Bytes of the activation intermediates a lowered conv holds at once (its input and output not counted), the
 * largest over the steps of lower.ts: the W transform with both H spectra, the two channel-mixing products with
 * their sum, the mixed spectrum with the W inverse, the W inverse with the output. The mixing products dominate:
 * 152 MB for SimpleConvNet's 64→128 layer at batch 100, where its output is 40 MB.
 */
export function workspaceBytes(plan: FrequencyPlan): number {
  const [h] = plan.inSize;
  const [ho, wo] = plan.outSize;
  const [ph, pw] = plan.periods;
  const kw = halfBins(pw);
  const nc = plan.batch * plan.inChannels;
  const nm = plan.batch * plan.outChannels;
  const rows = h * 2 * kw * nc;
  const spectrum = ph * kw * nc;
  const product = 2 * ph * kw * nm;
  const columns = 2 * ph * nm * wo;
  const elements = Math.max(rows + 2 * spectrum, 2 * spectrum + 2 * product, 3 * product, product + columns, columns + nm * ho * wo);
  return 4 * elements;
}

export function worthLowering(plan: FrequencyPlan, costRatio = LOWERING_COST_RATIO): boolean {
  return plan.frequencyCost <= costRatio * plan.directCost && spectrumBytes(plan) <= MAX_SPECTRUM_BYTES;
}

function frequencyCost(p: Omit<FrequencyPlan, 'directCost' | 'frequencyCost'>): number {
  const [h, w] = p.inSize;
  const [ho, wo] = p.outSize;
  const [ph, pw] = p.periods;
  const kw = halfBins(pw);
  const nc = p.batch * p.inChannels;
  const nm = p.batch * p.outChannels;
  const bins = ph * kw;
  const transforms = h * 2 * kw * w * nc + 2 * ph * 2 * h * kw * nc + 2 * ho * 2 * ph * kw * nm + ho * wo * 2 * kw * nm;
  const mixing = 4 * bins * nc * p.outChannels;
  // Reshaped and strided reads of input and output, the spectra written and read, the part-sum: a few passes each.
  const memory = 2 * (nc * h * w + nm * ho * wo) + 6 * bins * (nc + 2 * nm);
  return transforms + mixing + memory;
}
