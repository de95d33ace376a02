/**
 * Sections "families" and "imagenet": the mask step of torchvision's ResNet-50, MobileNetV2, EfficientNet-B0,
 * DenseNet-121 and ConvNeXt-T (32×32), and of ResNet-18 and ResNet-50 at 224×224 (10 classes, random weights), ours vs
 * PyTorch gating the same tensors of the same weights, with both sides' peak RSS. Measured by ../families.ts; a family
 * the engine cannot run prints its error.
 */
import { Family, FamilyMeasurement, measureFamily } from '../families';
import { MaskStepSettings } from '../mask-step-timing';
import { isTorchResult } from '../torch-reference';
import { count, formatTable, mib, ms } from '../table';
import { oursOverTorchCell, torchMsCell, torchNote } from './torch-cells';

/** Above this the two sides are not computing the same step (float32 rounding over ~100 layers stays far below). */
const GRADS_AGREE = 1e-2;

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
    ['model', 'gate vectors', 'units gated', 'units left out', 'onnxruntime-node ms', 'PyTorch ms', 'ours / PyTorch', 'ours peak MiB', 'PyTorch peak MiB', 'gate grads vs PyTorch', 'graph setup ms'],
    rows.map((r) => {
      const o = r.ours;
      const t = isTorchResult(r.torch) ? r.torch : undefined;
      const failed = r.exportError ? 'export failed' : 'engine error';
      return [
        r.family.label,
        o ? o.gating.gateVectors : '-',
        o ? count(o.gating.units) : '-',
        o ? count(o.gating.leftOut) : '-',
        o ? ms(o.medianMs) : `${failed} (below)`,
        o ? torchMsCell(r.torch) : '-',
        o ? oursOverTorchCell(o.medianMs, r.torch) : '-',
        o ? mib(o.peakRssMiB) : '-',
        t ? mib(t.peakRssMiB) : '-',
        t?.gradMaxRelDiff !== undefined ? `${t.gradMaxRelDiff.toExponential(1)}${t.gradMaxRelDiff > GRADS_AGREE ? ' (differ!)' : ''}` : '-',
        o ? ms(o.setupMs) : '-',
      ];
    }),
  );
  const errors = rows.flatMap((r) => (r.exportError ? [`${r.family.label}: ${r.exportError}`] : r.oursError ? [`${r.family.label}: the engine failed: ${r.oursError}`] : []));
  const blas = new Set(rows.map((r) => (isTorchResult(r.torch) ? r.torch.blas : undefined)).filter((b): b is string => !!b));
  const legend = [
    `Each family is exported by /usr/bin/python3 (torchvision, num_classes=10, input ${[...new Set(families.map((f) => `${f.size}×${f.size}`))].join('/')}, random weights, seed 0, BatchNorms folded into the convs before export, opset ${[...new Set(families.map((f) => f.opset))].join('/')}, dynamic batch) into a temp folder at bench time; ` +
      'ours times that file with GateGradientRunner in its own process (as the ResNet-18 row of section 1), PyTorch loads the same weights and gates the same tensors (bench/torch-family-step.py).',
    'gate vectors / units gated: what the engine gates (one vector per dependency group); units left out: Conv/Gemm/MatMul nodes it saw and did not gate (its reasons in `bise info`). ' +
      'PyTorch finds each gated ONNX tensor by the module scope torch.onnx writes into node names (bench/torch_onnx_scope.py). ' +
      'gate grads vs PyTorch: max |ours − PyTorch| / max |ours| of dL/dgate on the same input, so both sides gate the same tensors. Peak RSS: each process\'s maxRSS (ours includes building the graphs).',
    blas.has('generic') ? 'PyTorch here links the generic reference BLAS (torch.__config__ BLAS_INFO=generic, Debian\'s build): its Linear/matmul layers (ConvNeXt\'s pointwise MLPs) run without an optimised GEMM; its convolutions use oneDNN.' : '',
    targetLine(rows, target),
    ...rows.flatMap((r) => {
      const d = isTorchResult(r.torch) ? r.torch.gradMaxRelDiff : undefined;
      return d !== undefined && d > GRADS_AGREE ? [`${r.family.label}: the gate gradients differ between the two sides, so they are not timing the same step (a gate placed on another tensor in PyTorch?)`] : [];
    }),
    ...errors,
    torchNote(rows.map((r) => r.torch)),
    `(section took ${((performance.now() - started) / 1000).toFixed(0)} s, exports included: ${rows.map((r) => `${r.family.label} ${(r.exportMs / 1000).toFixed(0)} s`).join(', ')})`,
  ].filter(Boolean);
  return [`## ${target.heading}, batch ${s.batch}, all gates open`, table, legend.join('\n')].join('\n\n');
}
