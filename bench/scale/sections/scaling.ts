/** Section "scaling": mask-step time of SimpleConvNet vs batch size, and vs channel width (models built here). */
import { modelLabel, widthChannels, widthModelKey } from '../models';
import { StepMeasurements } from '../step-measurements';
import { formatTable, ms } from '../table';
import { oursOverTorchCell, torchMsCell, torchNote } from './torch-cells';

export function scalingSection(steps: StepMeasurements, batches: readonly number[], widths: readonly number[], batch: number, progress: (m: string) => void): string {
  const byBatch = batches.map((b) => {
    progress(`scaling: SimpleConvNet, batch ${b}`);
    return { b, ...steps.measure('simple-convnet', b) };
  });
  const batchTable = formatTable(
    ['batch', 'onnxruntime-node ms', 'ms / sample', 'PyTorch ms', 'ours / PyTorch'],
    byBatch.map(({ b, ours, torch }) => [String(b), ms(ours.medianMs), ms(ours.medianMs / b), torchMsCell(torch), oursOverTorchCell(ours.medianMs, torch)]),
  );
  const byWidth = widths.map((w) => {
    const key = widthModelKey(w);
    progress(`scaling: ${modelLabel(key)}, batch ${batch}`);
    return { key, w, ...steps.measure(key, batch) };
  });
  const base = byWidth.find((r) => r.w === 1) ?? byWidth[0];
  const widthTable = formatTable(
    ['width', 'channels', 'onnxruntime-node ms', `vs ×${base.w}`, 'PyTorch ms', 'ours / PyTorch'],
    byWidth.map(({ w, ours, torch }) => [`×${w}`, widthChannels(w).join('/'), ms(ours.medianMs), `${(ours.medianMs / base.ours.medianMs).toFixed(2)}×`, torchMsCell(torch), oursOverTorchCell(ours.medianMs, torch)]),
  );
  return [
    '## 4. Mask-step scaling (SimpleConvNet)',
    `### vs batch size (the committed fixture)\n\n${batchTable}`,
    `### vs channel width, batch ${batch} (built in TypeScript with random weights: SimpleConvNet's conv 7×7 + ReLU blocks, channels scaled; ×1 has the fixture's shapes)\n\n${widthTable}`,
    torchNote([...byBatch, ...byWidth].map((r) => r.torch)),
  ].filter(Boolean).join('\n\n');
}
