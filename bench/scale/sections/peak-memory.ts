/**
 * Section "memory": peak RSS and step time of each model's mask-step process (one process per measurement), ours
 * with no budget (the fast configuration) and under a tight memory budget (extract's --memory-mb: PyTorch's peak
 * less our RSS at start, so that meeting the budget means a peak at PyTorch's), next to PyTorch's.
 */
import { FIXTURE_MODELS, modelLabel } from '../models';
import { StepMeasurements } from '../step-measurements';
import { isTorchResult } from '../torch-reference';
import { formatTable, mib, ms, ratio } from '../table';
import { torchNote } from './torch-cells';
import type { StepChildResult } from '../run-step-child';

/** The budget when PyTorch did not run: half of what our fast configuration added to the process. */
const FALLBACK_BUDGET_SHARE = 0.5;

export function tightBudgetMiB(ours: StepChildResult, torchPeakMiB: number | undefined): number {
  const budget = torchPeakMiB !== undefined ? torchPeakMiB - ours.startRssMiB : FALLBACK_BUDGET_SHARE * (ours.peakRssMiB - ours.startRssMiB);
  return Math.max(1, Math.floor(budget));
}

/** "3/6 freq, no pattern" from memory-budget.ts's log line ('-' when the step said nothing). */
export function shortChoice(message: string | undefined): string {
  const m = message?.match(/(?:(all (\d+)|(\d+) of (\d+)) qualifying convs in the frequency domain|(no conv qualifies)[^,]*), onnxruntime's memory arena (on, memory pattern (on|off)|off)/);
  if (!m) return '-';
  const convs = m[5] ? 'no freq conv' : m[2] ? `${m[2]}/${m[2]} freq` : `${m[3]}/${m[4]} freq`;
  const memory = m[6] === 'off' ? 'arena off' : m[7] === 'on' ? 'arena' : 'arena, no pattern';
  return `${convs}, ${memory}`;
}

const timeCell = (r: StepChildResult): string => `${ms(r.medianMs)}${r.cpuMs !== undefined ? ` (${ms(r.cpuMs)})` : ''}`;

export function peakMemorySection(steps: StepMeasurements, batch: number, progress: (m: string) => void): string {
  const notes: string[] = [];
  const rows = FIXTURE_MODELS.map((model) => {
    progress(`memory: ${modelLabel(model)}, batch ${batch}`);
    const { ours, torch } = steps.measure(model, batch);
    const t = isTorchResult(torch) ? torch : undefined;
    const budget = tightBudgetMiB(ours, t?.peakRssMiB);
    progress(`memory: ${modelLabel(model)}, batch ${batch}, budget ${budget} MiB`);
    const lean = steps.measure(model, batch, true, budget).ours;
    if (lean.memoryChoice) notes.push(`${modelLabel(model)}: ${lean.memoryChoice}`);
    return {
      torch,
      cells: [
        modelLabel(model),
        mib(ours.startRssMiB),
        mib(ours.peakRssMiB),
        timeCell(ours),
        String(budget),
        shortChoice(lean.memoryChoice),
        mib(lean.peakRssMiB),
        timeCell(lean),
        t ? mib(t.peakRssMiB) : '-',
        t ? ms(t.medianMs) : '-',
        t ? ratio(ours.peakRssMiB, t.peakRssMiB) : '-',
        t ? ratio(lean.peakRssMiB, t.peakRssMiB) : '-',
      ],
    };
  });
  const table = formatTable(
    ['model', 'ours at start MiB', 'ours peak MiB', 'ours ms (CPU ms)', 'budget MiB', 'chosen under budget', 'ours peak, budget MiB', 'ours ms, budget (CPU ms)', 'PyTorch peak MiB', 'PyTorch ms', 'peak ours / PyTorch', 'budget: peak ours / PyTorch'],
    rows.map((r) => r.cells),
  );
  const legend =
    'at start: RSS once the runtime is loaded, before the model is read. peak: the process\'s maxRSS over its life (ours includes building the ' +
    'forward/backward graphs). ours: no budget, the fast configuration (every qualifying conv in the frequency domain, arena on). budget: ' +
    "the step under `--memory-mb` = PyTorch's peak less ours at start (half of what the fast configuration added when PyTorch did not run), " +
    'in its own process. ms: median wall time per step; CPU ms: median CPU time of our process per step, all threads (less sensitive to other processes).';
  return [`## 3. Peak memory (RSS) of the mask step, batch ${batch}, one process per measurement`, table, legend, notes.join('\n'), torchNote(rows.map((r) => r.torch))].filter(Boolean).join('\n\n');
}
