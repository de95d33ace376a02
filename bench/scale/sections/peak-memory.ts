/** Section "memory": peak RSS of the mask-step process of each model, ours vs PyTorch (one process per model). */
import { FIXTURE_MODELS, modelLabel } from '../models';
import { StepMeasurements } from '../step-measurements';
import { isTorchResult } from '../torch-reference';
import { formatTable, mib, ratio } from '../table';
import { torchNote } from './torch-cells';

export function peakMemorySection(steps: StepMeasurements, batch: number, progress: (m: string) => void): string {
  const rows = FIXTURE_MODELS.map((model) => {
    progress(`memory: ${modelLabel(model)}, batch ${batch}`);
    const { ours, torch } = steps.measure(model, batch);
    const direct = steps.measure(model, batch, false).ours;
    const t = isTorchResult(torch) ? torch : undefined;
    return {
      torch,
      cells: [
        modelLabel(model),
        mib(ours.startRssMiB),
        mib(ours.stepRssMiB),
        mib(ours.peakRssMiB),
        mib(direct.peakRssMiB),
        t ? mib(t.startRssMiB) : '-',
        t ? mib(t.peakRssMiB) : '-',
        t ? ratio(ours.peakRssMiB, t.peakRssMiB) : '-',
      ],
    };
  });
  const table = formatTable(
    ['model', 'ours at start MiB', 'ours during steps MiB', 'ours peak MiB', 'ours peak, direct convs MiB', 'PyTorch at start MiB', 'PyTorch peak MiB', 'peak ours / PyTorch'],
    rows.map((r) => r.cells),
  );
  const legend =
    'at start: RSS once the runtime is loaded, before the model is read. during steps: largest RSS sampled after each step. ' +
    'peak: the process\'s maxRSS over its life (ours includes building the forward/backward graphs). ' +
    'direct convs: our step with the frequency-domain conv lowering off (SessionConfig.frequencyConv: false), in its own process.';
  return [`## 3. Peak memory (RSS) of the mask step, batch ${batch}, one process per model`, table, legend, torchNote(rows.map((r) => r.torch))].filter(Boolean).join('\n\n');
}
