/**
 * The worker's side of the host ↔ worker protocol (src/protocol/worker-messages.ts): one job per process.
 * Forked by the extension host with an IPC channel; runs the core job off the extension host's thread, so a
 * long or crashing run never blocks or takes down VS Code.
 */
import { CancelledError, JobEvent } from '../core/bise/events';
import { runExtractJob } from '../core/jobs/extract-job';
import { runAuditJob } from '../core/jobs/audit-job';
import { decodeProblem, receive } from '../protocol/decoders';
import { HostToWorker, WorkerToHost, hostToWorkerDecoder } from '../protocol/worker-messages';
import { ExecutionProvider, JobSpec } from '../protocol/jobs';
import { describeForForm, ModelDescriber } from './describe';
import { describeForView, ModelViewDescriber } from './describe-model';
import { auditJobOptions, auditRunResult, extractJobOptions, runResult } from './job-options';
import { LogTail } from './log-tail';

/** The parts of `process` the worker uses (a fake in tests would do). */
export interface WorkerChannel {
  readonly pid: number;
  /** The execution providers this onnxruntime-node build offers. */
  providers(): readonly ExecutionProvider[];
  send(message: WorkerToHost, done: (error: Error | null) => void): void;
  onMessage(handler: (value: unknown) => void): void;
  /** The host went away (its end of the IPC channel closed). */
  onDisconnect(handler: () => void): void;
  /** Close the channel and end the process with this code. */
  exit(code: number): void;
  /** Diagnostics nobody reads unless something went wrong (the host copies stderr to its output channel). */
  warn(message: string): void;
}

export type JobRunner = (job: JobSpec, ctx: { onEvent: (e: JobEvent) => void; signal: AbortSignal }) => Promise<WorkerToHost>;

export const runJob: JobRunner = async (job, ctx) => {
  if (job.kind === 'audit') return { type: 'audit-done', result: auditRunResult(await runAuditJob(auditJobOptions(job), ctx)) };
  const result = await runExtractJob(extractJobOptions(job), ctx);
  return { type: 'done', result: runResult(result) };
};

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

export function serveWorker(channel: WorkerChannel, run: JobRunner = runJob, describe: ModelDescriber = describeForForm, describeView: ModelViewDescriber = describeForView): void {
  const controller = new AbortController();
  const tail = new LogTail();
  const phase = { value: '' };
  let started = false;
  let finished = false;
  let connected = true;

  const finish = (message: WorkerToHost, code: number): void => {
    if (finished) return;
    finished = true;
    if (!connected) return channel.exit(code);
    channel.send(message, () => channel.exit(code));
  };

  const send = (message: WorkerToHost): void => {
    if (connected && !finished) channel.send(message, () => undefined);
  };

  const start = (job: JobSpec): void => {
    started = true;
    const onEvent = (event: JobEvent): void => {
      tail.addEvent(event, phase);
      send({ type: 'event', event });
    };
    run(job, { onEvent, signal: controller.signal }).then(
      (done) => finish(done, 0),
      (e: unknown) => {
        if (e instanceof CancelledError || (controller.signal.aborted && e instanceof Error && e.name === 'CancelledError')) return finish({ type: 'cancelled' }, 0);
        if (e instanceof Error && e.stack) channel.warn(e.stack);
        tail.add(`[error] ${errorMessage(e)}`);
        finish({ type: 'failed', message: errorMessage(e), log: tail.snapshot() }, 1);
      },
    );
  };

  channel.onMessage((value) => {
    if (finished) return;
    const m: HostToWorker | undefined = receive(hostToWorkerDecoder, value, 'host', (line) => channel.warn(line));
    if (m === undefined) {
      // A start we cannot read is answered, so the host does not wait forever.
      if (!started && typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'start') {
        const r = decodeProblem(hostToWorkerDecoder, value);
        finish({ type: 'failed', message: `the extension sent a job this worker cannot read (${r.ok ? 'unknown' : r.problem}); reinstall the extension`, log: [] }, 1);
      }
      return;
    }
    if (m.type === 'cancel') {
      if (!started) return finish({ type: 'cancelled' }, 0);
      controller.abort();
      return;
    }
    if (started) {
      channel.warn(`ignored '${m.type}': a worker runs one job or describes one model`);
      return;
    }
    if (m.type === 'describe') {
      started = true;
      return finish(describe(m.modelPath), 0);
    }
    if (m.type === 'describe-model') {
      started = true;
      return finish(describeView(m.modelPath), 0);
    }
    start(m.job);
  });

  channel.onDisconnect(() => {
    // The host is gone: stop the job (it writes nothing when cancelled) and exit without sending.
    connected = false;
    controller.abort();
    if (!started) finish({ type: 'cancelled' }, 0);
  });

  let providers: readonly ExecutionProvider[] = ['cpu'];
  try {
    providers = channel.providers();
  } catch (e) {
    channel.warn(`cannot list onnxruntime execution providers (${errorMessage(e)}); reporting cpu only`);
  }
  send({ type: 'ready', pid: channel.pid, providers });
}
