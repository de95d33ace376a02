/** Maps whatever a command threw to an exit status and the text a user sees. */
import { CancelledError } from '../../core/bise/events';
import { UsageError } from './usage-error';

export type FailureKind = 'usage' | 'cancelled' | 'error';

export interface Failure {
  readonly kind: FailureKind;
  /** 2 usage, 130 cancelled (128 + SIGINT, what shells report for Ctrl-C), 1 anything else. */
  readonly exitCode: number;
  /** The bare message, for JSON consumers. */
  readonly message: string;
  /** What goes to stderr, possibly several lines, no trailing newline. */
  readonly text: string;
}

export interface FailureContext {
  /** The invocation, e.g. 'bise train', used to point at its --help. */
  readonly command?: string;
  /** BISE_DEBUG=1: include stack traces. */
  readonly debug?: boolean;
}

export function describeFailure(err: unknown, context: FailureContext = {}): Failure {
  if (err instanceof UsageError) {
    const help = context.command ? `\nrun '${context.command} --help' to see the arguments and flags` : '';
    return { kind: 'usage', exitCode: 2, message: err.message, text: `error: ${err.message}${help}` };
  }
  if (isCancellation(err)) {
    return { kind: 'cancelled', exitCode: 130, message: 'cancelled', text: 'cancelled: nothing was written' };
  }
  const message = err instanceof Error ? err.message || err.name : String(err);
  const stack = context.debug && err instanceof Error && err.stack ? `\n${stackFrames(err)}` : '';
  return { kind: 'error', exitCode: 1, message, text: `error: ${message}${stack}` };
}

/** By name as well as class: a bundled copy of CancelledError, or Node's AbortError from an aborted signal, mean the same. */
function isCancellation(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && (err.name === 'CancelledError' || err.name === 'AbortError'));
}

/** The stack without its "Error: message" header, which the first line already says. */
function stackFrames(err: Error): string {
  const stack = err.stack ?? '';
  const header = `${err.name}: ${err.message}`;
  return stack.startsWith(header) ? stack.slice(header.length).replace(/^\n/, '') : stack;
}
