/** Section "step": ms per mask step at the bench batch for SimpleConvNet, MLP and ResNet-18, ours vs PyTorch. */
import { FIXTURE_MODELS, modelLabel } from '../models';
import { StepMeasurements } from '../step-measurements';
import { formatTable, ms } from '../table';
import { oursOverTorchCell, torchMsCell, torchNote } from './torch-cells';

export function stepTimeSection(steps: StepMeasurements, batch: number, progress: (m: string) => void): string {
  const rows = FIXTURE_MODELS.map((model) => {
    progress(`step: ${modelLabel(model)}, batch ${batch}`);
    const { ours, torch } = steps.measure(model, batch);
    return { model, ours, torch };
  });
  const table = formatTable(
    ['model', 'gate vectors', 'onnxruntime-node ms', 'PyTorch ms', 'ours / PyTorch', 'graph setup ms'],
    rows.map(({ model, ours, torch }) => [modelLabel(model), ours.gateVectors, ms(ours.medianMs), torchMsCell(torch), oursOverTorchCell(ours.medianMs, torch), ms(ours.setupMs)]),
  );
  const note = [
    'ours: the mask step as extract runs it (FusedStepRunner: forward, loss with one auxiliary head and backward in one session; large stride-1 convs in the frequency domain); graph setup: building the graphs and the session, once per run.',
    torchNote(rows.map((r) => r.torch)),
  ].filter(Boolean).join('\n');
  return [`## 1. Mask step (gated forward + backward to the gates), batch ${batch}, all gates open`, table, note].filter(Boolean).join('\n\n');
}
