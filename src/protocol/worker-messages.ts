/**
 * Host ↔ worker: the extension host forks dist/worker.js (child_process.fork, IPC channel, JSON
 * serialisation) and speaks these messages with it. One run, or one model description, per worker process.
 *
 *   host → worker: start (once), cancel (any time); or describe (once, for the set-up form); or describe-model
 *                  (once, for the model view)
 *   worker → host: ready, then event*, then exactly one of done (audit-done for an audit) | cancelled | failed,
 *                  then the worker exits;
 *                  after describe: ready, then model-summary, then the worker exits
 *                  after describe-model: ready, then model-description, then the worker exits
 *
 * The host validates everything the worker sends (a crashed or mismatched worker must not crash the host);
 * the worker validates what the host sends too, and answers a bad `start` with `failed`.
 */
import type { JobEvent } from '../core/bise/events';
import { DecodeError, Decoder, array, literal, nullable, object, oneOf, positiveInteger, string, tagged } from './decoders';
import { AuditRunResult, ExecutionProvider, JobSpec, PROVIDERS, RunResult, auditRunResultDecoder, jobSpecDecoder, runResultDecoder } from './jobs';
import { jobEventDecoder } from './job-events';
import { ModelSummary, modelSummaryDecoder } from './webview-messages';
import { ModelDescription, modelDescriptionDecoder } from './model-view';

/** host → worker: run this job (the worker accepts one `start`; a second is answered with `failed`). */
export interface StartMessage {
  readonly type: 'start';
  readonly job: JobSpec;
}

/** host → worker: stop the running job; the worker answers `cancelled` and writes nothing. */
export interface CancelMessage {
  readonly type: 'cancel';
}

/**
 * host → worker: read this model for the set-up form (instead of `start`), so that parsing a large model never
 * blocks the extension host; the worker answers `model-summary` and exits.
 */
export interface DescribeMessage {
  readonly type: 'describe';
  readonly modelPath: string;
}

/**
 * host → worker: read this model for the model view (the custom editor of `*.onnx`): everything `bise info` shows
 * without the run checks; the worker answers `model-description` and exits.
 */
export interface DescribeModelMessage {
  readonly type: 'describe-model';
  readonly modelPath: string;
}

export type HostToWorker = StartMessage | CancelMessage | DescribeMessage | DescribeModelMessage;

/**
 * worker → host: the worker is up and listening (sent once, before anything else), with the execution
 * providers its onnxruntime-node offers (the host never loads onnxruntime itself).
 */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly pid: number;
  readonly providers: readonly ExecutionProvider[];
}

/** worker → host: one event of the running job (progress, epoch, masks, log). */
export interface EventMessage {
  readonly type: 'event';
  readonly event: JobEvent;
}

/** worker → host: the job finished and wrote its report folder. */
export interface DoneMessage {
  readonly type: 'done';
  readonly result: RunResult;
}

/** worker → host: an audit job finished and wrote its report folder. */
export interface AuditDoneMessage {
  readonly type: 'audit-done';
  readonly result: AuditRunResult;
}

/** worker → host: the job stopped on `cancel`; nothing was written. */
export interface CancelledMessage {
  readonly type: 'cancelled';
}

/** worker → host: the job failed; `log` holds the worker's last log lines for the error message. */
export interface FailedMessage {
  readonly type: 'failed';
  readonly message: string;
  readonly log: readonly string[];
}

/** worker → host: the answer to `describe`: what the engine sees in the model, or why it cannot read it. */
export interface ModelSummaryMessage {
  readonly type: 'model-summary';
  readonly model: ModelSummary | null;
  /** Null when `model` is set. */
  readonly error: string | null;
}

/** worker → host: the answer to `describe-model`: the model as the view shows it, or why the file cannot be read. */
export interface ModelDescriptionMessage {
  readonly type: 'model-description';
  readonly description: ModelDescription | null;
  /** Null when `description` is set; otherwise names the file and what is wrong with it. */
  readonly error: string | null;
}

export type WorkerToHost = ReadyMessage | EventMessage | DoneMessage | AuditDoneMessage | CancelledMessage | FailedMessage | ModelSummaryMessage | ModelDescriptionMessage;

export const hostToWorkerDecoder: Decoder<HostToWorker> = tagged<HostToWorker, 'type'>('host message', 'type', {
  start: object<StartMessage>({ type: literal('start'), job: jobSpecDecoder }),
  cancel: object<CancelMessage>({ type: literal('cancel') }),
  describe: object<DescribeMessage>({ type: literal('describe'), modelPath: string }),
  'describe-model': object<DescribeModelMessage>({ type: literal('describe-model'), modelPath: string }),
});

export const workerToHostDecoder: Decoder<WorkerToHost> = tagged<WorkerToHost, 'type'>('worker message', 'type', {
  ready: object<ReadyMessage>({ type: literal('ready'), pid: positiveInteger, providers: array(oneOf<ExecutionProvider>(...PROVIDERS)) }),
  event: object<EventMessage>({ type: literal('event'), event: jobEventDecoder }),
  done: object<DoneMessage>({ type: literal('done'), result: runResultDecoder }),
  cancelled: object<CancelledMessage>({ type: literal('cancelled') }),
  failed: object<FailedMessage>({ type: literal('failed'), message: string, log: array(string) }),
  'model-summary': object<ModelSummaryMessage>({ type: literal('model-summary'), model: nullable(modelSummaryDecoder), error: nullable(string) }, (m, path) => {
    if ((m.model === null) === (m.error === null)) throw new DecodeError(path, 'expected either a model summary or an error');
  }),
  'audit-done': object<AuditDoneMessage>({ type: literal('audit-done'), result: auditRunResultDecoder }),
  'model-description': object<ModelDescriptionMessage>({ type: literal('model-description'), description: nullable(modelDescriptionDecoder), error: nullable(string) }, (m, path) => {
    if ((m.description === null) === (m.error === null)) throw new DecodeError(path, 'expected either a model description or an error');
  }),
});

/** The terminal messages: after one of them the worker sends nothing more and exits. */
export function isTerminal(m: WorkerToHost): m is DoneMessage | AuditDoneMessage | CancelledMessage | FailedMessage {
  return m.type === 'done' || m.type === 'audit-done' || m.type === 'cancelled' || m.type === 'failed';
}
