/**
 * Section "transformers" (issue 13, "Speed and memory"): the mask step of bert-mini's architecture at batch ×
 * sequence (MLP neurons; MLP neurons + attention heads) and of a ViT at 32×32 (MLP neurons), ours vs PyTorch gating
 * the same tensors of the same weights, with both sides' peak RSS and the ratio against the target ≤ 1.0× PyTorch.
 * Measured by ../transformers.ts; a row the engine cannot run prints its error.
 */
import { TRANSFORMER_ROWS, TransformerMeasurement, TransformerSettings, measureTransformers } from '../transformers';
import { isTorchResult } from '../torch-reference';
import { count, formatTable, mib, ms } from '../table';
import { oursOverTorchCell, torchMsCell, torchNote } from './torch-cells';

/** Issue 13's target: the mask step no slower than PyTorch's. */
export const TRANSFORMERS_MAX_RATIO = 1;
/** The issue asks both sides to compute the same step: gate gradients within this relative difference. */
export const TRANSFORMER_GRADS_AGREE = 1e-3;

export function transformersTargetLine(rows: readonly TransformerMeasurement[]): string {
  const compared = rows.flatMap((r) => (r.ours && isTorchResult(r.torch) ? [{ label: r.row.label, ratio: r.ours.medianMs / r.torch.medianMs }] : []));
  if (compared.length === 0) return 'Target (≤ 1.0× PyTorch): not compared (no PyTorch figure).';
  const missed = compared.filter((c) => c.ratio > TRANSFORMERS_MAX_RATIO);
  const missing = rows.length - compared.length;
  const rest = missing > 0 ? ` (${missing} of ${rows.length} not compared)` : '';
  return missed.length === 0
    ? `Target (≤ 1.0× PyTorch): met for the ${compared.length} compared${rest}.`
    : `Target (≤ 1.0× PyTorch): not met: ${missed.map((c) => `${c.label} ${c.ratio.toFixed(2)}×`).join(', ')}${rest}.`;
}

function gradCell(r: TransformerMeasurement): string {
  const d = isTorchResult(r.torch) ? r.torch.gradMaxRelDiff : undefined;
  return d === undefined ? '-' : `${d.toExponential(1)}${d > TRANSFORMER_GRADS_AGREE ? ' (differ!)' : ''}`;
}

/** The section's text from its measurements (no measuring here). */
export function transformersReport(rows: readonly TransformerMeasurement[], s: TransformerSettings, sectionMs: number): string {
  const table = formatTable(
    ['model, units gated', 'gate vectors', 'units gated', 'units left out', 'onnxruntime-node ms', 'PyTorch ms', 'ours / PyTorch', 'ours peak MiB', 'PyTorch peak MiB', 'gate grads vs PyTorch', 'graph setup ms'],
    rows.map((r) => {
      const o = r.ours;
      const t = isTorchResult(r.torch) ? r.torch : undefined;
      return [
        r.row.label,
        o ? o.gating.gateVectors : '-',
        o ? count(o.gating.units) : '-',
        o ? count(o.gating.leftOut) : '-',
        o ? ms(o.medianMs) : `${r.exportError ? 'export failed' : 'engine error'} (below)`,
        o ? torchMsCell(r.torch) : '-',
        o ? oursOverTorchCell(o.medianMs, r.torch) : '-',
        o ? mib(o.peakRssMiB) : '-',
        t ? mib(t.peakRssMiB) : '-',
        gradCell(r),
        o ? ms(o.setupMs) : '-',
      ];
    }),
  );
  const blas = new Set(rows.map((r) => (isTorchResult(r.torch) ? r.torch.blas : undefined)).filter((b): b is string => !!b));
  const exports = [...new Map(rows.map((r) => [r.row.model, r.exportMs])).entries()];
  const legend = [
    `bert-mini: the engine's bert-mini architecture (src/core/models/bert-mini.ts: hidden 64, 2 layers, 4 heads, intermediate 256, 128 positions, 2 classes, no token types; vocabulary 6000) written in plain torch as Hugging Face's BERT is (scripts/export-transformers.py's classes, bench/torch_transformers.py), not the TypeScript-built file; ` +
      `fed input_ids (seeded random ids, [CLS] first) and attention_mask of [${s.batch}, ${s.sequence}], row b padded after ${s.sequence} − 8·(b mod 4) tokens. ` +
      `ViT-6×192: torchvision's VisionTransformer (image 32, patch 4 so 65 tokens, 6 layers, hidden 192, 3 heads, MLP 768, 10 classes), fed x[i] = sin(i) at batch ${s.batch}.`,
    'Both exported by /usr/bin/python3 (random weights, seed 0, eval mode, opset 17, dynamic batch, and sequence for bert-mini) into a temp folder at bench time; ours times that file with GateGradientRunner in its own process, ' +
      'PyTorch loads the same weights and gates the same tensors (bench/torch-transformer-step.py): MLP neurons after the GELU and the pooled z by hooks on the modules named in the ONNX scopes, ' +
      'heads (units "both") by the attention module\'s own gate on each head\'s context softmax(QKᵀ)·V before the output projection, as the engine places them.',
    'units left out: Gemm/MatMul nodes the engine saw and did not gate (residual-stream projections, Q/K/V in the MLP-only rows; its reasons in `bise info`); ViT\'s nn.MultiheadAttention fuses its heads, so the engine gates no heads there. ' +
      `gate grads vs PyTorch: max |ours − PyTorch| / max |ours| of dL/dgate (L = 0.01·Σlogits + 0.01·Σz), flagged above ${TRANSFORMER_GRADS_AGREE}. Peak RSS: each process's maxRSS (ours includes building the graphs).`,
    blas.has('generic') ? "PyTorch here links the generic reference BLAS (torch.__config__ BLAS_INFO=generic, Debian's build): its Linear and matmul layers, nearly all of a transformer's work, run without an optimised GEMM, so these ratios flatter us against a PyTorch built with MKL or OpenBLAS." : '',
    transformersTargetLine(rows),
    ...rows.flatMap((r) => (gradCell(r).endsWith('(differ!)') ? [`${r.row.label}: the gate gradients differ between the two sides, so they are not timing the same step`] : [])),
    ...rows.flatMap((r) => (r.exportError ? [`${r.row.label}: ${r.exportError}`] : r.oursError ? [`${r.row.label}: the engine failed: ${r.oursError}`] : [])),
    torchNote(rows.map((r) => r.torch)),
    `(section took ${(sectionMs / 1000).toFixed(0)} s, exports included: ${exports.map(([m, t]) => `${m} ${(t / 1000).toFixed(0)} s`).join(', ')})`,
  ].filter(Boolean);
  return [`## 8. Mask step of transformers, batch ${s.batch} (bert-mini sequence ${s.sequence}), all gates open`, table, legend.join('\n')].join('\n\n');
}

export function transformersSection(s: TransformerSettings, progress: (m: string) => void): string {
  const started = performance.now();
  const rows = measureTransformers(TRANSFORMER_ROWS, s, progress);
  return transformersReport(rows, s, performance.now() - started);
}
