/**
 * What the form shows about the model, read off the extension host's thread: the host forks the worker, asks it to
 * `describe` the model (src/protocol/worker-messages.ts) and waits a bounded time. Parsing a large ONNX file
 * therefore never blocks VS Code; a worker that dies or takes too long gives an error the form shows, and is killed.
 */
import { fork } from 'node:child_process';
import { receive } from '../protocol/decoders';
import type { ExecutionProvider } from '../protocol/jobs';
import type { ModelSummary } from '../protocol/webview-messages';
import { workerToHostDecoder } from '../protocol/worker-messages';

export type ModelSummaryResult = { readonly model: ModelSummary; readonly error: null } | { readonly model: null; readonly error: string };

export interface DescribeOptions {
  /** dist/worker.js, or src/worker/main.ts with execArgv ['--import', 'tsx'] in tests. */
  readonly workerPath: string;
  readonly execArgv?: readonly string[];
  readonly execPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How long the worker may take, start-up included (default 60 s). */
  readonly timeoutMs?: number;
  /** The execution providers the worker's onnxruntime-node offers (it reports them on start-up). */
  readonly onReady?: (providers: readonly ExecutionProvider[]) => void;
  readonly onLog?: (line: string) => void;
}

export const DESCRIBE_TIMEOUT_MS = 60_000;

/** The model's summary from a worker process, or why there is none; never rejects. */
export function requestModelSummary(modelPath: string, o: DescribeOptions): Promise<ModelSummaryResult> {
  const timeoutMs = o.timeoutMs ?? DESCRIBE_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let child: ReturnType<typeof fork> | undefined;
    const settle = (r: ModelSummaryResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(r);
    };
    try {
      child = fork(o.workerPath, [], {
        execArgv: [...(o.execArgv ?? [])],
        execPath: o.execPath,
        env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'json',
      });
    } catch (e) {
      settle({ model: null, error: `could not start the BISE worker to read the model (${(e as Error).message})` });
      return;
    }
    timer = setTimeout(() => {
      o.onLog?.(`reading ${modelPath} took longer than ${timeoutMs / 1000} s; stopped the worker`);
      settle({ model: null, error: `reading the model took longer than ${timeoutMs / 1000} s, so its summary is not shown; a run reads it again and reports any problem` });
    }, timeoutMs);
    const worker = child;
    worker.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    worker.on('message', (value: unknown) => {
      const m = receive(workerToHostDecoder, value, 'worker', (line) => o.onLog?.(line));
      if (!m || settled) return;
      if (m.type === 'ready') {
        o.onReady?.(m.providers);
        worker.send({ type: 'describe', modelPath }, (error: Error | null) => error && settle({ model: null, error: `could not ask the BISE worker to read the model (${error.message})` }));
      } else if (m.type === 'model-summary') {
        settle(m.model ? { model: m.model, error: null } : { model: null, error: m.error ?? 'the worker could not read the model' });
      } else if (m.type === 'failed') {
        settle({ model: null, error: m.message });
      }
    });
    worker.on('error', (e) => settle({ model: null, error: `the BISE worker could not run (${e.message})` }));
    worker.on('exit', (code, signal) => {
      const last = stderr.trim().split(/\r?\n/).slice(-3).join(' | ');
      settle({ model: null, error: `the BISE worker stopped before it read the model (${signal ? `killed by ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}` });
    });
  });
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
