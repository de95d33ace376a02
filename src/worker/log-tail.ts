/** The last lines of a job's log, kept for the `failed` message (and so for the user's error message). */
import type { JobEvent } from '../core/bise/events';

export class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = 20) {}

  add(line: string): void {
    for (const l of line.split('\n')) {
      if (l.trim() === '') continue;
      this.lines.push(l.length > 500 ? `${l.slice(0, 499)}…` : l);
      if (this.lines.length > this.capacity) this.lines.shift();
    }
  }

  /** Log events, epoch summaries and the start of each phase make the tail; per-step progress does not. */
  addEvent(e: JobEvent, lastPhase: { value: string }): void {
    if (e.type === 'log') this.add(`[${e.level}] ${e.message}`);
    else if (e.type === 'epoch') this.add(`epoch ${e.epoch}: τ=${e.tau} loss=${e.loss.toFixed(4)} kept ${e.keptUnits}/${e.totalUnits}`);
    else if (e.type === 'progress' && e.phase !== lastPhase.value) {
      lastPhase.value = e.phase;
      this.add(`phase ${e.phase}${e.message ? `: ${e.message}` : ''}`);
    }
  }

  snapshot(): string[] {
    return [...this.lines];
  }
}
