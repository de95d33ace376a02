/**
 * What a panel shows, kept on the host side so it can be replayed: a webview that is hidden, reloaded or
 * restored after a window reload starts empty and asks (`ready`), and gets the form, the run so far (every
 * epoch, the latest masks, the recent log), its end and the report again.
 */
import type { JobEvent, MasksEvent } from '../core/bise/events';
import type { HostModelSummary, HostReport, HostRunEnded, HostRunStarted, HostSetup, HostToWebview } from '../protocol/webview-messages';

const LOG_LINES = 200;

export class RunView {
  private setup: HostSetup | null = null;
  private started: HostRunStarted | null = null;
  private epochs: JobEvent[] = [];
  private masks: MasksEvent | null = null;
  private lastProgress: JobEvent | null = null;
  private logs: JobEvent[] = [];
  private ended: HostRunEnded | null = null;
  private report: HostReport | null = null;

  showSetup(m: HostSetup): void {
    this.setup = m;
  }

  /** The worker's model summary, folded into the form it belongs to (a replay sends one complete `setup`). */
  showModelSummary(m: HostModelSummary): void {
    if (this.setup?.setup.modelPath !== m.modelPath) return;
    this.setup = { type: 'setup', setup: { ...this.setup.setup, model: m.model, modelError: m.error } };
  }

  startRun(m: HostRunStarted): void {
    this.started = m;
    this.epochs = [];
    this.masks = null;
    this.lastProgress = null;
    this.logs = [];
    this.ended = null;
    this.report = null;
  }

  record(e: JobEvent): void {
    if (e.type === 'epoch' || e.type === 'train-epoch') this.epochs.push(e);
    else if (e.type === 'masks') this.masks = e;
    else if (e.type === 'progress') this.lastProgress = e;
    else {
      this.logs.push(e);
      if (this.logs.length > LOG_LINES) this.logs.shift();
    }
  }

  endRun(m: HostRunEnded): void {
    this.ended = m;
  }

  showReport(m: HostReport): void {
    this.report = m;
  }

  get running(): boolean {
    return this.started !== null && this.ended === null;
  }

  /** The messages that rebuild the panel from nothing, in order. */
  replay(): HostToWebview[] {
    const out: HostToWebview[] = [];
    if (this.setup) out.push(this.setup);
    if (this.started) {
      out.push(this.started);
      const events = [...this.logs, ...this.epochs, ...(this.masks ? [this.masks] : []), ...(this.lastProgress && !this.ended ? [this.lastProgress] : [])];
      for (const event of events) out.push({ type: 'job-event', event });
      if (this.ended) out.push(this.ended);
    }
    if (this.report) out.push(this.report);
    return out;
  }
}

/**
 * Per-step progress arrives hundreds of times a second on small models; the panel needs a few updates a
 * second. Progress events are coalesced to at most one per `intervalMs` (the latest wins, and the last one is
 * always delivered); every other event passes at once, after any pending progress so the order holds.
 */
export class ProgressThrottle {
  private pending: JobEvent | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = -Infinity;

  constructor(
    private readonly forward: (e: JobEvent) => void,
    private readonly intervalMs = 200,
    private readonly now: () => number = () => Date.now(),
  ) {}

  push(e: JobEvent): void {
    if (e.type !== 'progress') {
      this.flush();
      this.forward(e);
      return;
    }
    const t = this.now();
    if (t - this.last >= this.intervalMs && this.timer === null) {
      this.last = t;
      this.forward(e);
      return;
    }
    this.pending = e;
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), Math.max(0, this.intervalMs - (t - this.last)));
  }

  /** Deliver the pending progress event now (at the end of a run, before another event). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending) {
      const e = this.pending;
      this.pending = null;
      this.last = this.now();
      this.forward(e);
    }
  }
}
