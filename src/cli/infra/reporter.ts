/**
 * Turns job events into CLI output. Human mode writes to stderr (a redrawn progress bar
 * on a terminal, throttled plain lines in logs) so stdout stays for the command's own
 * output; --json mode writes exactly one JSON object per line to stdout and nothing else.
 */
import type { EventSink } from '../../core/bise/events';
import { createHumanReporter } from './human-reporter';
import { createJsonReporter } from './json-reporter';
import type { OutputStream } from './output-stream';

export interface Reporter {
  readonly json: boolean;
  /** Bound: pass it straight to a job as its event sink. */
  readonly onEvent: EventSink;
  /** The command's human-readable output on stdout; dropped in --json mode, where result() carries the data. */
  print(text: string): void;
  /** A note for the person at the terminal, on stderr in both modes (e.g. "stopping after the current step"). */
  notice(text: string): void;
  /** The command's outcome: `{ "type": "result", ... }` in --json mode; nothing in human mode. */
  result(value: unknown): void;
  /** An error message on stderr; in --json mode also `{ "type": "error", ... }` on stdout. */
  error(err: unknown): void;
  /** Ends a progress bar still on screen. Later events are ignored; safe to call twice. */
  close(): void;
}

export interface ReporterOptions {
  readonly json: boolean;
  readonly stdout?: OutputStream;
  readonly stderr?: OutputStream;
  /** Whether to redraw a progress bar in place; defaults to stderr.isTTY. */
  readonly isTTY?: boolean;
  /** Terminal width for the bar; defaults to stderr.columns, else 80. */
  readonly columns?: number;
  /** Milliseconds clock, injectable for tests. */
  readonly now?: () => number;
  /** How often a non-terminal stderr gets a progress line (default 3000 ms). */
  readonly intervalMs?: number;
  /** The invocation ('bise train') that usage errors point at for --help. */
  readonly command?: string;
  /** Stack traces in error output (BISE_DEBUG=1). */
  readonly debug?: boolean;
}

export interface ResolvedReporterOptions extends Required<Omit<ReporterOptions, 'command' | 'columns'>> {
  readonly command?: string;
  readonly columns?: number;
}

export function createReporter(options: ReporterOptions): Reporter {
  const stderr = options.stderr ?? process.stderr;
  const resolved: ResolvedReporterOptions = {
    stdout: process.stdout,
    isTTY: stderr.isTTY === true,
    now: () => performance.now(),
    intervalMs: 3000,
    debug: false,
    ...definedOnly(options),
    json: options.json,
    stderr,
  };
  return options.json ? createJsonReporter(resolved) : createHumanReporter(resolved);
}

/** `{ now: undefined }` must not override a default. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
