/**
 * The fuzzing process (forked by run-fuzz.ts, so that a hang or a runaway allocation can be stopped from
 * outside): runs `count` inputs of one target, tells the parent which input it is on, and reports every input
 * that ends in anything but a typed user error (OnnxModelError, DatasetError, GradientError, PruneError) — or in one that merely wraps a
 * programming error (a TypeError or RangeError as its cause).
 */
import { OnnxModelError } from '../../src/core/onnx/errors';
import { DatasetError } from '../../src/core/data/errors';
import { GradientError } from '../../src/core/autodiff/rule';
import { PruneError } from '../../src/core/prune/errors';
import { createRng, deriveSeed } from '../../src/core/data/random';
import { TARGETS } from './fuzz-targets';

export interface FuzzRequest {
  readonly target: string;
  readonly seed: number;
  readonly count: number;
  /** Resident memory above this is reported as a bug (a declared size that was not checked). */
  readonly maxRssBytes: number;
}

export type FuzzChildMessage =
  | { readonly type: 'at'; readonly index: number; readonly what: string }
  | { readonly type: 'bug'; readonly index: number; readonly what: string; readonly error: string }
  | { readonly type: 'done'; readonly accepted: number; readonly refused: number; readonly slowest: { index: number; ms: number; what: string } };

/** Errors that tell the user what is wrong with their file: the reader's, the datasets', and the node-naming refusals of gradient building and pruning. */
function isUserError(e: unknown): boolean {
  return e instanceof OnnxModelError || e instanceof DatasetError || e instanceof GradientError || e instanceof PruneError;
}

/** A typed error whose cause, if any, is a deliberate Error (not a TypeError, RangeError, …). */
export function isExpectedRefusal(e: unknown): boolean {
  if (!isUserError(e)) return false;
  const cause = (e as Error).cause;
  return cause === undefined || isUserError(cause) || (cause instanceof Error && Object.getPrototypeOf(cause) === Error.prototype);
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${String(e)}`;
  const cause = e.cause instanceof Error ? `\ncaused by ${e.cause.stack}` : '';
  return `${e.stack ?? e.message}${cause}`;
}

async function run(request: FuzzRequest, send: (m: FuzzChildMessage) => Promise<void>): Promise<void> {
  const target = TARGETS[request.target]();
  let accepted = 0;
  let refused = 0;
  let slowest = { index: -1, ms: 0, what: '' };
  for (let index = 0; index < request.count; index++) {
    const input = target.input(createRng(deriveSeed(request.seed, request.target, index)));
    // Delivered before the input runs, so that the parent can name an input that never returns.
    await send({ type: 'at', index, what: input.what });
    const t0 = performance.now();
    try {
      input.run();
      accepted++;
    } catch (e) {
      if (isExpectedRefusal(e)) refused++;
      else await send({ type: 'bug', index, what: input.what, error: describe(e) });
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { index, ms, what: input.what };
    const rss = process.memoryUsage.rss();
    if (rss > request.maxRssBytes) await send({ type: 'bug', index, what: input.what, error: `resident memory reached ${(rss / 2 ** 20).toFixed(0)} MiB` });
  }
  await send({ type: 'done', accepted, refused, slowest });
}

process.once('message', (request: FuzzRequest) => {
  const send = (m: FuzzChildMessage): Promise<void> => new Promise((resolve) => process.send?.(m, undefined, undefined, () => resolve()));
  void run(request, send).then(() => process.disconnect());
});
