/** The progress bar / progress line for ProgressEvents, and the ETA behind it. */
import type { ProgressEvent } from '../../core/bise/events';
import { formatDuration } from './number-format';

const BAR_WIDTH = 20;

export interface ProgressTiming {
  readonly elapsedMs: number;
  /** Undefined until at least one step has been timed. */
  readonly etaMs: number | undefined;
}

/**
 * Estimates time left from the rate since the current run began. A run starts when the
 * phase changes or `done` goes backwards (jobs restart the count every epoch), so an
 * old phase's pace never leaks into the new estimate.
 */
export class EtaTracker {
  private phase: string | undefined;
  private lastDone = 0;
  private startDone = 0;
  private startTime = 0;

  update(e: ProgressEvent, now: number): ProgressTiming & { readonly newRun: boolean } {
    const newRun = e.phase !== this.phase || e.done < this.lastDone;
    if (newRun) {
      this.phase = e.phase;
      this.startDone = e.done;
      this.startTime = now;
    }
    this.lastDone = e.done;
    const elapsedMs = now - this.startTime;
    const stepsTimed = e.done - this.startDone;
    const etaMs = stepsTimed > 0 && elapsedMs > 0 ? ((e.total - e.done) * elapsedMs) / stepsTimed : undefined;
    return { elapsedMs, etaMs, newRun };
  }
}

/** `extract ███████░░░░ 40/100  40%  ETA 12s  epoch 2, τ = 0.9`; `withBar: false` for logs. */
export function formatProgress(e: ProgressEvent, timing: ProgressTiming, withBar: boolean): string {
  const fraction = e.total > 0 ? Math.min(1, Math.max(0, e.done / e.total)) : undefined;
  const parts = [e.phase];
  if (withBar && fraction !== undefined) {
    const filled = Math.round(fraction * BAR_WIDTH);
    parts.push('█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled));
  }
  parts.push(e.total > 0 ? `${e.done}/${e.total}` : `${e.done}`);
  if (fraction !== undefined) parts.push(`${Math.floor(fraction * 100)}%`);
  if (e.total > 0 && e.done >= e.total) parts.push(`in ${formatDuration(timing.elapsedMs)}`);
  else if (timing.etaMs !== undefined) parts.push(`ETA ${formatDuration(timing.etaMs)}`);
  if (e.message) parts.push(e.message);
  return parts.join('  ');
}

/** Cut to the terminal width: a line that wraps can no longer be redrawn in place with \r. */
export function fitToWidth(line: string, columns: number): string {
  const max = Math.max(10, columns - 1);
  const chars = Array.from(line);
  return chars.length <= max ? line : chars.slice(0, max - 1).join('') + '…';
}
