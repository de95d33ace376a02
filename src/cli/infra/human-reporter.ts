/** Human mode: progress and epoch lines on stderr, the command's own output on stdout. */
import type { JobEvent, ProgressEvent } from '../../core/bise/events';
import { formatEpoch, formatLog, formatTrainEpoch } from './event-lines';
import { describeFailure } from './failure';
import type { OutputStream } from './output-stream';
import { EtaTracker, fitToWidth, formatProgress } from './progress-line';
import type { Reporter, ResolvedReporterOptions } from './reporter';

/** Erase from the cursor to the end of the line, so a shorter redraw leaves no tail. */
const CLEAR_LINE = '\x1b[K';
/** Per-batch events can arrive thousands of times a second; a terminal needs ~10 redraws a second. */
const REDRAW_MS = 100;

export function createHumanReporter(o: ResolvedReporterOptions): Reporter {
  const eta = new EtaTracker();
  // Read on every draw: a terminal can be resized mid-run. Some ptys report 0 columns.
  const columns = (): number => o.columns ?? (o.stderr.columns || 80);
  let closed = false;
  /** The bar text currently on the terminal's last line (TTY only), and whether its run had finished. */
  let bar: { text: string; complete: boolean } | undefined;
  let lastDrawAt = -Infinity;
  let lastPrintAt = -Infinity;
  let lastPrintedPhase: string | undefined;

  const progress = (e: ProgressEvent): void => {
    const t = o.now();
    const timing = eta.update(e, t);
    const complete = e.total > 0 && e.done >= e.total;
    if (o.isTTY) {
      if (!timing.newRun && !complete && t - lastDrawAt < REDRAW_MS) return;
      const text = fitToWidth(formatProgress(e, timing, true), columns());
      o.stderr.write(`\r${text}${CLEAR_LINE}`);
      bar = { text, complete };
      lastDrawAt = t;
    } else {
      if (e.phase === lastPrintedPhase && t - lastPrintAt < o.intervalMs) return;
      o.stderr.write(formatProgress(e, timing, false) + '\n');
      lastPrintedPhase = e.phase;
      lastPrintAt = t;
    }
  };

  /** Prints a full line above the bar, then puts an unfinished bar back; a finished one has served its purpose. */
  const line = (stream: OutputStream, text: string): void => {
    if (bar) o.stderr.write(`\r${CLEAR_LINE}`);
    stream.write(text.replace(/\n$/, '') + '\n');
    if (bar?.complete) bar = undefined;
    if (bar) o.stderr.write(bar.text);
  };

  /** Leaves the bar where it stopped and moves below it. */
  const endBar = (): void => {
    if (bar) o.stderr.write('\n');
    bar = undefined;
  };

  const onEvent = (e: JobEvent): void => {
    if (closed) return;
    switch (e.type) {
      case 'progress':
        return progress(e);
      case 'epoch':
        return line(o.stderr, formatEpoch(e));
      case 'train-epoch':
        return line(o.stderr, formatTrainEpoch(e));
      case 'log':
        return line(o.stderr, formatLog(e));
      case 'masks':
        return; // per-unit mask logits are for the panel and --json; too much for a terminal
    }
  };

  return {
    json: false,
    onEvent,
    print: (text) => line(o.stdout, text),
    notice: (text) => line(o.stderr, text),
    result: () => {},
    error: (err) => {
      endBar();
      o.stderr.write(describeFailure(err, o).text + '\n');
    },
    close: () => {
      endBar();
      closed = true;
    },
  };
}
