/**
 * Sections "families" and "imagenet": the mask step of torchvision's ResNet-50, MobileNetV2, EfficientNet-B0,
 * DenseNet-121 and ConvNeXt-T (32×32), and of ResNet-18 and ResNet-50 at 224×224 (10 classes, random weights), ours vs
 * PyTorch gating the same tensors of the same weights, with both sides' peak RSS. Measured by ../families.ts; a family
 * the engine cannot run prints its error.
 */
import { Family, FamilyMeasurement, measureFamily } from '../families';
import { MaskStepSettings } from '../mask-step-timing';
import { TorchStepResult, isTorchResult } from '../torch-reference';
import { count, formatTable, mib, ms } from '../table';
import { oursOverTorchCell, torchMsCell, torchNote } from './torch-cells';

/** Above this the two sides are not computing the same step (float32 rounding over ~100 layers stays below 1e-6). */
const GRADS_AGREE = 1e-3;

/**
 * The MI terms' gate gradients (α = 0) are compared against how far float32 rounding alone moves them: above this
 * share of rounding, z barely varies over the rows (random weights) and the MI has no gradient to compare.
 */
const MI_ROUNDING_ONLY = 0.1;
/**
 * MI gradients differ above this and this many times further apart than rounding in the loss alone moves them. The
 * backward's rounding adds to the latter: frequency-domain convs reach 6e-3 in ResNet-50 (direct: 7e-5), while a
 * wrong loss (other rows selected, no /log K) gives 0.3 and more.
 */
const MI_AGREE = 1e-2;
const MI_DIFFERS_OVER_ROUNDING = 10;

type MiGrad = NonNullable<TorchStepResult['miGrad']>;
const miDiffers = (m: MiGrad): boolean => m.float32Noise < MI_ROUNDING_ONLY && m.maxRelDiff > Math.max(MI_AGREE, MI_DIFFERS_OVER_ROUNDING * m.float32Noise);
function miCell(m: MiGrad | undefined): string {
  if (!m) return '-';
  if (!(m.float32Noise < MI_ROUNDING_ONLY)) return 'rounding only';
  return `${m.maxRelDiff.toExponential(1)} (${m.float32Noise.toExponential(1)})${miDiffers(m) ? ' (differ!)' : ''}`;
}

const withCpu = (cell: string, cpuMs: number | undefined): string => (cpuMs === undefined ? cell : `${cell} (${ms(cpuMs)})`);

/** A section's heading and the ratio its issue asks for. */
export interface FamilyTarget {
  readonly heading: string;
  /** Largest ours/PyTorch ratio that meets the target, and how the target reads. */
  readonly maxRatio: number;
  readonly wording: string;
}

/** Issue 12's target for the 32×32 families: no family's step slower than PyTorch's. */
export const FAMILIES_TARGET: FamilyTarget = { heading: '6. Mask step of torchvision families (32×32, 10 classes)', maxRatio: 1, wording: 'no family slower than PyTorch' };

/** Issue 14's target at ImageNet resolution: the mask step at most 0.6× PyTorch's. */
export const IMAGENET_TARGET: FamilyTarget = { heading: '7. Mask step at ImageNet resolution (224×224, 10 classes)', maxRatio: 0.6, wording: 'mask step ≤ 0.6× PyTorch' };

function targetLine(rows: readonly FamilyMeasurement[], target: FamilyTarget): string {
  const compared = rows.flatMap((r) => (r.ours && isTorchResult(r.torch) ? [{ label: r.family.label, ratio: r.ours.medianMs / r.torch.medianMs }] : []));
  if (compared.length === 0) return '';
  const missed = compared.filter((c) => c.ratio > target.maxRatio);
  const missing = rows.length - compared.length;
  const rest = missing > 0 ? ` (${missing} of ${rows.length} not compared)` : '';
  return missed.length === 0
    ? `Target (${target.wording}): met for the ${compared.length} compared${rest}.`
    : `Target (${target.wording}): not met: ${missed.map((c) => `${c.label} ${c.ratio.toFixed(2)}×`).join(', ')}${rest}.`;
}

export function familiesSection(families: readonly Family[], s: MaskStepSettings & { readonly torch: boolean }, progress: (m: string) => void, target: FamilyTarget = FAMILIES_TARGET): string {
  const started = performance.now();
  const rows: FamilyMeasurement[] = families.map((f) => {
    progress(`families: ${f.label}, batch ${s.batch}`);
    return measureFamily(f, s, s.torch);
  });
  const table = formatTable(
    ['model', 'gate vectors', 'units gated', 'units left out', 'onnxruntime-node ms (CPU ms)', 'PyTorch ms (CPU ms)', 'ours / PyTorch', 'ours peak MiB', 'PyTorch peak MiB', 'gate grads vs PyTorch', 'MI grads vs PyTorch (rounding)', 'graph setup ms'],
    rows.map((r) => {
      const o = r.ours;
      const t = isTorchResult(r.torch) ? r.torch : undefined;
      const failed = r.exportError ? 'export failed' : 'engine error';
      return [
        r.family.label,
        o ? o.gating.gateVectors : '-',
        o ? count(o.gating.units) : '-',
        o ? count(o.gating.leftOut) : '-',
        o ? withCpu(ms(o.medianMs), o.cpuMs) : `${failed} (below)`,
        o ? withCpu(torchMsCell(r.torch), t?.cpuMs) : '-',
        o ? oursOverTorchCell(o.medianMs, r.torch) : '-',
        o ? mib(o.peakRssMiB) : '-',
        t ? mib(t.peakRssMiB) : '-',
        t?.gradMaxRelDiff !== undefined ? `${t.gradMaxRelDiff.toExponential(1)}${t.gradMaxRelDiff > GRADS_AGREE ? ' (differ!)' : ''}` : '-',
        miCell(t?.miGrad),
        o ? ms(o.setupMs) : '-',
      ];
    }),
  );
  const errors = rows.flatMap((r) => (r.exportError ? [`${r.family.label}: ${r.exportError}`] : r.oursError ? [`${r.family.label}: the engine failed: ${r.oursError}`] : []));
  const blas = new Set(rows.map((r) => (isTorchResult(r.torch) ? r.torch.blas : undefined)).filter((b): b is string => !!b));
  const legend = [
    `Each family is exported by /usr/bin/python3 (torchvision, num_classes=10, input ${[...new Set(families.map((f) => `${f.size}×${f.size}`))].join('/')}, random weights, seed 0, BatchNorms folded into the convs before export, opset ${[...new Set(families.map((f) => f.opset))].join('/')}, dynamic batch) into a temp folder at bench time; ` +
      'ours times that file in its own process with the step extract runs (FusedStepRunner: forward, BISE loss and backward in one session, as the ResNet-18 row of section 1: one auxiliary head of 10 classes, γ = 1, \'conflicting\' MI rows), ' +
      'PyTorch loads the same weights, gates the same tensors and backpropagates the same loss, weighted cross-entropy plus the head\'s mutual information (bench/torch-family-step.py). ' +
      'CPU ms: each process\'s CPU time per step over all its threads, less sensitive than wall time to other load on the machine.',
    'gate vectors / units gated: what the engine gates (one vector per dependency group); units left out: Conv/Gemm/MatMul nodes it saw and did not gate (its reasons in `bise info`). ' +
      'PyTorch finds each gated ONNX tensor by the module scope torch.onnx writes into node names (bench/torch_onnx_scope.py). ' +
      'gate grads vs PyTorch: max |ours − PyTorch| / max |ours| of dL/dgate on the same input: small when both sides gate the same tensors and compute the same loss. ' +
      'MI grads: the same for a step with α = 0, the MI term alone (the cross-entropy outweighs it in dL/dgate at random weights), through heads scaled to tell the rows apart (bench/scale/mi-check.ts), at our z, ' +
      'next to how far float32 rounding in the loss alone moves dMI/dz there (PyTorch float32 vs float64); "rounding only": z is the same on every row at these random weights up to rounding, so the MI has no gradient to compare. Peak RSS: each process\'s maxRSS (ours includes building the graphs).',
    blas.has('generic') ? 'PyTorch here links the generic reference BLAS (torch.__config__ BLAS_INFO=generic, Debian\'s build): its Linear/matmul layers (ConvNeXt\'s pointwise MLPs) run without an optimised GEMM; its convolutions use oneDNN.' : '',
    targetLine(rows, target),
    ...rows.flatMap((r) => {
      const d = isTorchResult(r.torch) ? r.torch.gradMaxRelDiff : undefined;
      const m = isTorchResult(r.torch) ? r.torch.miGrad : undefined;
      return [
        ...(d !== undefined && d > GRADS_AGREE ? [`${r.family.label}: the gate gradients differ between the two sides, so they are not timing the same step (a gate placed on another tensor in PyTorch?)`] : []),
        ...(m && miDiffers(m) ? [`${r.family.label}: the MI term's gate gradients differ between the two sides beyond rounding, so they do not compute the same loss`] : []),
      ];
    }),
    ...errors,
    torchNote(rows.map((r) => r.torch)),
    `(section took ${((performance.now() - started) / 1000).toFixed(0)} s, exports included: ${rows.map((r) => `${r.family.label} ${(r.exportMs / 1000).toFixed(0)} s`).join(', ')})`,
  ].filter(Boolean);
  return [`## ${target.heading}, batch ${s.batch}, all gates open`, table, legend.join('\n')].join('\n\n');
}
