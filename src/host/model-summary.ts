/**
 * What the form shows about the model, read off the extension host's thread: the host forks the worker, asks it to
 * `describe` the model (src/protocol/worker-messages.ts) and waits a bounded time. Parsing a large ONNX file
 * therefore never blocks VS Code; a worker that dies or takes too long gives an error the form shows, and is killed.
 */
import type { ExecutionProvider } from '../protocol/jobs';
import type { ModelSummary } from '../protocol/webview-messages';
import { WorkerProcessOptions, askWorker } from './worker-question';

export type ModelSummaryResult = { readonly model: ModelSummary; readonly error: null } | { readonly model: null; readonly error: string };

export interface DescribeOptions extends WorkerProcessOptions {
  /** How long the worker may take, start-up included (default 60 s). */
  readonly timeoutMs?: number;
  /** The execution providers the worker's onnxruntime-node offers (it reports them on start-up). */
  readonly onReady?: (providers: readonly ExecutionProvider[]) => void;
}

export const DESCRIBE_TIMEOUT_MS = 60_000;

/** The model's summary from a worker process, or why there is none; never rejects. */
export function requestModelSummary(modelPath: string, o: DescribeOptions): Promise<ModelSummaryResult> {
  const timeoutMs = o.timeoutMs ?? DESCRIBE_TIMEOUT_MS;
  const failure = (error: string): ModelSummaryResult => ({ model: null, error });
  return askWorker<ModelSummaryResult>(o, {
    request: { type: 'describe', modelPath },
    answer: (m) => (m.type !== 'model-summary' ? undefined : m.model ? { model: m.model, error: null } : failure(m.error ?? 'the worker could not read the model')),
    failure,
    subject: 'the model',
    timeoutMs,
    timeoutError: `reading the model took longer than ${timeoutMs / 1000} s, so its summary is not shown; a run reads it again and reports any problem`,
    onReady: o.onReady,
  }).result;
}

/**
 * Summaries by model file, so reopening a form does not fork again; a changed file (size or time) is read again.
 * Concurrent requests for one file share one worker; failures are not kept.
 */
export class ModelSummaryCache {
  private readonly entries = new Map<string, { key: string; result: Promise<ModelSummaryResult> }>();

  constructor(
    private readonly request: (modelPath: string) => Promise<ModelSummaryResult>,
    private readonly stamp: (modelPath: string) => string | null,
  ) {}

  get(modelPath: string): Promise<ModelSummaryResult> {
    const key = this.stamp(modelPath);
    const cached = this.entries.get(modelPath);
    if (key !== null && cached && cached.key === key) return cached.result;
    const result = this.request(modelPath);
    if (key !== null) {
      this.entries.set(modelPath, { key, result });
      // A failure may be passing (a killed worker, a timeout): the next form asks again.
      void result.then((r) => {
        if (r.error !== null && this.entries.get(modelPath)?.result === result) this.entries.delete(modelPath);
      });
    }
    return result;
  }
}
