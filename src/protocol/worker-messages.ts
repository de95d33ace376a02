/**
 * Host ↔ worker: the extension host forks dist/worker.js (child_process.fork, IPC channel, JSON
 * serialisation) and speaks these messages with it. One run per worker process.
 *
 *   host → worker: start (once), cancel (any time)
 *   worker → host: ready, then event*, then exactly one of done | cancelled | failed, then the worker exits
 *
 * The host validates everything the worker sends (a crashed or mismatched worker must not crash the host);
 * the worker validates what the host sends too, and answers a bad `start` with `failed`.
 */
import type { JobEvent } from '../core/bise/events';
import { Decoder, array, literal, object, oneOf, positiveInteger, string, tagged } from './decoders';
import { ExecutionProvider, JobSpec, PROVIDERS, RunResult, jobSpecDecoder, runResultDecoder } from './jobs';
import { jobEventDecoder } from './job-events';

/** host → worker: run this job (the worker accepts one `start`; a second is answered with `failed`). */
export interface StartMessage {
  readonly type: 'start';
  readonly job: JobSpec;
}

/** host → worker: stop the running job; the worker answers `cancelled` and writes nothing. */
export interface CancelMessage {
  readonly type: 'cancel';
}

export type HostToWorker = StartMessage | CancelMessage;

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

export type WorkerToHost = ReadyMessage | EventMessage | DoneMessage | CancelledMessage | FailedMessage;

export const hostToWorkerDecoder: Decoder<HostToWorker> = tagged<HostToWorker, 'type'>('host message', 'type', {
  start: object<StartMessage>({ type: literal('start'), job: jobSpecDecoder }),
  cancel: object<CancelMessage>({ type: literal('cancel') }),
});

export const workerToHostDecoder: Decoder<WorkerToHost> = tagged<WorkerToHost, 'type'>('worker message', 'type', {
  ready: object<ReadyMessage>({ type: literal('ready'), pid: positiveInteger, providers: array(oneOf<ExecutionProvider>(...PROVIDERS)) }),
  event: object<EventMessage>({ type: literal('event'), event: jobEventDecoder }),
  done: object<DoneMessage>({ type: literal('done'), result: runResultDecoder }),
  cancelled: object<CancelledMessage>({ type: literal('cancelled') }),
  failed: object<FailedMessage>({ type: literal('failed'), message: string, log: array(string) }),
});

/** The terminal messages: after one of them the worker sends nothing more and exits. */
export function isTerminal(m: WorkerToHost): m is DoneMessage | CancelledMessage | FailedMessage {
  return m.type === 'done' || m.type === 'cancelled' || m.type === 'failed';
}
