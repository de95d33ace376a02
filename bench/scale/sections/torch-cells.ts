/** Table cells for a PyTorch outcome: its figure, or why there is none. */
import { TorchOutcome, isTorchResult } from '../torch-reference';
import { ms, ratio } from '../table';

export function torchMsCell(t: TorchOutcome | undefined): string {
  if (t === undefined) return 'skipped';
  return isTorchResult(t) ? ms(t.medianMs) : 'n/a';
}

export function oursOverTorchCell(oursMs: number, t: TorchOutcome | undefined): string {
  return isTorchResult(t) ? ratio(oursMs, t.medianMs) : '-';
}

/** One footnote line per distinct reason PyTorch did not run, or its version when it did. */
export function torchNote(outcomes: readonly (TorchOutcome | undefined)[]): string {
  const versions = new Set(outcomes.filter(isTorchResult).map((t) => `PyTorch ${t.torch} (/usr/bin/python3), same machine, same threads`));
  const reasons = new Set(outcomes.flatMap((t) => (t && 'unavailable' in t ? [`PyTorch n/a: ${t.unavailable}`] : [])));
  return [...versions, ...reasons].join('\n');
}
