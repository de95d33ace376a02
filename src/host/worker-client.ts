/**
 * The host's side of the worker protocol: forks the worker (dist/worker.js) for one job, validates what it
 * sends, and turns every way a run can end — done, cancelled, failed, or the process dying — into one
 * outcome. A worker that crashes or hangs never takes the extension down with it.
 */
import { ChildProcess, fork } from 'node:child_process';
import type { JobEvent } from '../core/bise/events';
import { receive } from '../protocol/decoders';
import type { AuditRunResult, ExecutionProvider, JobSpec, RunResult } from '../protocol/jobs';
import { HostToWorker, isTerminal, workerToHostDecoder } from '../protocol/worker-messages';
import { LogTail } from '../worker/log-tail';

export type RunOutcome =
  | { readonly kind: 'done'; readonly result: RunResult }
  | { readonly kind: 'audited'; readonly result: AuditRunResult }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly message: string; readonly log: readonly string[] };

export interface WorkerOptions {
  /** dist/worker.js, or src/worker/main.ts with execArgv ['--import', 'tsx'] in tests. */
  readonly workerPath: string;
  readonly execArgv?: readonly string[];
  /** Node to run it with (default: the running one; inside VS Code that is Electron as Node). */
  readonly execPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onEvent?: (event: JobEvent) => void;
  /** The worker started; these are the execution providers its onnxruntime-node offers. */
  readonly onReady?: (providers: readonly ExecutionProvider[]) => void;
  /** Every line for the output channel: the worker's stderr and dropped messages. */
  readonly onLog?: (line: string) => void;
  /** How long a cancelled worker may take to stop before it is killed (ms). */
  readonly cancelGraceMs?: number;
}

export interface WorkerRun {
  readonly outcome: Promise<RunOutcome>;
  readonly pid: number | undefined;
  cancel(): void;
  /** Kill the process now (extension shutdown). */
  dispose(): void;
}

const STDERR_LINES = 20;

/** What a worker that died unexpectedly left in its stderr says about why. */
export function deathReason(how: string, stderr: readonly string[]): string {
  const text = stderr.join('\n');
  if (/heap out of memory|Allocation failed|Array buffer allocation failed|Cannot allocate memory|std::bad_alloc/i.test(text)) {
    return `the BISE worker ran out of memory (it ${how}); try a smaller batch size, fewer samples or smaller images`;
  }
  return `the BISE worker stopped unexpectedly (it ${how} before reporting a result)`;
}

export function startWorker(job: JobSpec, o: WorkerOptions): WorkerRun {
  const stderrTail: string[] = [];
  // The job's own last log lines (phases, epochs, warnings), for a worker that dies without saying why.
  const eventTail = new LogTail(10);
  const lastPhase = { value: '' };
  const log = (line: string): void => o.onLog?.(line);
  let child: ChildProcess;
  let settled = false;
  let cancelRequested = false;
  let killTimer: NodeJS.Timeout | undefined;
  let resolveOutcome!: (o: RunOutcome) => void;
  const outcome = new Promise<RunOutcome>((resolve) => (resolveOutcome = resolve));
  const settle = (result: RunOutcome): void => {
    if (settled) return;
    settled = true;
    if (killTimer) clearTimeout(killTimer);
    resolveOutcome(result);
  };

  try {
    child = fork(o.workerPath, [], {
      execArgv: [...(o.execArgv ?? [])],
      execPath: o.execPath,
      // ELECTRON_RUN_AS_NODE makes VS Code's Electron binary behave as plain Node for the child.
      env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
  } catch (e) {
    settle({ kind: 'failed', message: `could not start the BISE worker (${(e as Error).message})`, log: [] });
    return { outcome, pid: undefined, cancel: () => undefined, dispose: () => undefined };
  }

  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    // \r\n from Windows' native libraries: split on either, so no line carries a stray \r into a notification.
    const lines = (partial + d.toString()).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      stderrTail.push(line);
      if (stderrTail.length > STDERR_LINES) stderrTail.shift();
      log(`[worker] ${line}`);
    }
  });
  child.stdout?.on('data', (d: Buffer) => {
    for (const line of d.toString().split(/\r?\n/)) if (line.trim() !== '') log(`[worker] ${line}`);
  });

  const send = (m: HostToWorker): void => {
    if (child.connected) child.send(m, (error: Error | null) => error && log(`could not send '${m.type}' to the worker: ${error.message}`));
  };

  child.on('message', (value: unknown) => {
    const m = receive(workerToHostDecoder, value, 'worker', log);
    if (!m || settled) return;
    if (m.type === 'ready') {
      o.onReady?.(m.providers);
      send({ type: 'start', job });
      if (cancelRequested) send({ type: 'cancel' });
    } else if (m.type === 'event') {
      eventTail.addEvent(m.event, lastPhase);
      try {
        o.onEvent?.(m.event);
      } catch (e) {
        log(`event handler failed: ${(e as Error).message}`);
      }
    } else if (isTerminal(m)) {
      if (m.type === 'done') settle({ kind: 'done', result: m.result });
      else if (m.type === 'audit-done') settle({ kind: 'audited', result: m.result });
      else if (m.type === 'cancelled') settle({ kind: 'cancelled' });
      else settle({ kind: 'failed', message: m.message, log: m.log.length > 0 ? m.log : [...stderrTail] });
    }
  });

  child.on('error', (e) => {
    settle({ kind: 'failed', message: `the BISE worker could not run (${e.message})`, log: [...stderrTail] });
  });

  child.on('exit', (code, signal) => {
    if (partial.trim() !== '') stderrTail.push(partial);
    if (cancelRequested) return settle({ kind: 'cancelled' });
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    settle({ kind: 'failed', message: deathReason(how, stderrTail), log: [...eventTail.snapshot(), ...stderrTail] });
  });

  return {
    outcome,
    pid: child.pid,
    cancel() {
      if (settled || cancelRequested) return;
      cancelRequested = true;
      send({ type: 'cancel' });
      // A job stuck inside one native call cannot see the signal: kill it after the grace period.
      killTimer = setTimeout(() => {
        if (!settled) {
          log('the worker did not stop in time after cancel; killing it');
          child.kill('SIGKILL');
        }
      }, o.cancelGraceMs ?? 10_000);
    },
    dispose() {
      if (!settled) {
        cancelRequested = true;
        child.kill('SIGKILL');
      }
    },
  };
}
