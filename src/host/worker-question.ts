/**
 * One question to a short-lived worker process, off the extension host's thread: fork the worker, send `request`
 * once it is ready, and settle with the first answer. The wait is bounded; a worker that dies, takes too long or is
 * no longer wanted is killed, and every ending is one result (never a rejection). The form's model summary
 * (model-summary.ts) and the model view (model-editor-worker.ts) ask this way.
 */
import { fork } from 'node:child_process';
import { receive } from '../protocol/decoders';
import type { ExecutionProvider } from '../protocol/jobs';
import { HostToWorker, WorkerToHost, workerToHostDecoder } from '../protocol/worker-messages';

export interface WorkerProcessOptions {
  /** dist/worker.js, or src/worker/main.ts with execArgv ['--import', 'tsx'] in tests. */
  readonly workerPath: string;
  readonly execArgv?: readonly string[];
  readonly execPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onLog?: (line: string) => void;
}

export interface WorkerQuestion<R> {
  readonly request: HostToWorker;
  /** The result a worker message answers with, or undefined for one that does not answer ('ready' and 'failed' are handled here). */
  readonly answer: (m: WorkerToHost) => R | undefined;
  /** The result that carries an error message. */
  readonly failure: (error: string) => R;
  /** What the worker reads, as the messages name it ('the model', or its path). */
  readonly subject: string;
  readonly timeoutMs: number;
  /** The error shown after timeoutMs. */
  readonly timeoutError: string;
  /** The execution providers the worker's onnxruntime-node offers (it reports them on start-up). */
  readonly onReady?: (providers: readonly ExecutionProvider[]) => void;
}

export interface WorkerAnswer<R> {
  readonly result: Promise<R>;
  /** The worker's process id (undefined when it could not start). */
  readonly pid: number | undefined;
  /** Stop waiting and kill the worker; `result` settles with failure(error). */
  dispose(error: string): void;
}

export function askWorker<R>(o: WorkerProcessOptions, q: WorkerQuestion<R>): WorkerAnswer<R> {
  let settle: (r: R) => void = () => undefined;
  let pid: number | undefined;
  const result = new Promise<R>((resolve) => {
    let settled = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let child: ReturnType<typeof fork> | undefined;
    settle = (r) => {
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
      settle(q.failure(`could not start the BISE worker to read ${q.subject} (${(e as Error).message})`));
      return;
    }
    timer = setTimeout(() => {
      o.onLog?.(`reading ${q.subject} took longer than ${q.timeoutMs / 1000} s; stopped the worker`);
      settle(q.failure(q.timeoutError));
    }, q.timeoutMs);
    const worker = child;
    pid = worker.pid;
    worker.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    worker.on('message', (value: unknown) => {
      const m = receive(workerToHostDecoder, value, 'worker', (line) => o.onLog?.(line));
      if (!m || settled) return;
      if (m.type === 'ready') {
        q.onReady?.(m.providers);
        worker.send(q.request, (error: Error | null) => error && settle(q.failure(`could not ask the BISE worker to read ${q.subject} (${error.message})`)));
      } else if (m.type === 'failed') {
        settle(q.failure(m.message));
      } else {
        const answer = q.answer(m);
        if (answer !== undefined) settle(answer);
      }
    });
    worker.on('error', (e) => settle(q.failure(`the BISE worker could not run (${e.message})`)));
    worker.on('exit', (code, signal) => {
      const last = stderr.trim().split(/\r?\n/).slice(-3).join(' | ');
      settle(q.failure(`the BISE worker stopped before it read ${q.subject} (${signal ? `killed by ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
  return { result, pid, dispose: (error) => settle(q.failure(error)) };
}
