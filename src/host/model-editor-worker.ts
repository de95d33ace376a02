/**
 * The model view's reading of a model, off the extension host's thread: the host forks the worker, asks it to
 * `describe-model` (src/protocol/worker-messages.ts) and passes only the path, so a 500 MB file is read and parsed
 * in the worker. The wait is bounded; a worker that dies, takes too long or is no longer wanted (the editor closed)
 * is killed, and every ending is one result the view can show.
 */
import type { ModelDescription } from '../protocol/model-view';
import { WorkerProcessOptions, askWorker } from './worker-question';

export type ModelDescriptionResult = { readonly description: ModelDescription; readonly error: null } | { readonly description: null; readonly error: string };

export interface ModelViewWorkerOptions extends WorkerProcessOptions {
  /** How long the worker may take, start-up included (default 3 minutes: a large model parses in the worker). */
  readonly timeoutMs?: number;
}

export interface ModelDescriptionRequest {
  /** Never rejects. */
  readonly result: Promise<ModelDescriptionResult>;
  /** The worker's process id (undefined when it could not start). */
  readonly pid: number | undefined;
  /** Stop waiting and kill the worker (the view closed); `result` then settles with an error. */
  dispose(): void;
}

export const MODEL_VIEW_TIMEOUT_MS = 180_000;

export function requestModelDescription(modelPath: string, o: ModelViewWorkerOptions): ModelDescriptionRequest {
  const timeoutMs = o.timeoutMs ?? MODEL_VIEW_TIMEOUT_MS;
  const failure = (error: string): ModelDescriptionResult => ({ description: null, error });
  const asked = askWorker<ModelDescriptionResult>(o, {
    request: { type: 'describe-model', modelPath },
    answer: (m) => (m.type !== 'model-description' ? undefined : m.description ? { description: m.description, error: null } : failure(m.error ?? `the worker could not read ${modelPath}`)),
    failure,
    subject: modelPath,
    timeoutMs,
    timeoutError: `reading ${modelPath} took longer than ${timeoutMs / 1000} s; close and reopen the file to try again`,
  });
  return { result: asked.result, pid: asked.pid, dispose: () => asked.dispose('the model view was closed') };
}
