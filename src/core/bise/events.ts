/** What a running job reports; the CLI prints these (or JSON lines) and the extension forwards them to the panel. */

export interface ProgressEvent {
  readonly type: 'progress';
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly message?: string;
}

export interface EpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly tau: number;
  readonly loss: number;
  readonly crossEntropy: number;
  readonly mutualInformation: number;
  readonly trainAccuracy: number;
  readonly auxAccuracy: number;
  readonly valUnbiasedAccuracy: number | null;
  readonly keptUnits: number;
  readonly totalUnits: number;
  readonly seconds: number;
  readonly msPerStep: number;
}

export interface TrainEpochEvent {
  readonly type: 'train-epoch';
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly valUnbiasedAccuracy: number | null;
  readonly valAlignedAccuracy: number | null;
  readonly valConflictingAccuracy: number | null;
  readonly seconds: number;
  readonly msPerStep: number;
}

export interface MasksEvent {
  readonly type: 'masks';
  readonly epoch: number;
  readonly groups: readonly { readonly group: number; readonly label: string; readonly logits: readonly number[] }[];
}

export interface LogEvent {
  readonly type: 'log';
  readonly level: 'info' | 'warn';
  readonly message: string;
}

/** Mask learning stopped early: every unit settled (bise/early-stop.ts); the masks are the full schedule's. */
export interface EarlyStopEvent {
  readonly type: 'early-stop';
  /** The last epoch that ran, and the schedule's last. */
  readonly epoch: number;
  readonly scheduledEpochs: number;
  readonly settledUnits: number;
  readonly skippedSteps: number;
}

export type JobEvent = ProgressEvent | EpochEvent | TrainEpochEvent | MasksEvent | LogEvent | EarlyStopEvent;
export type EventSink = (event: JobEvent) => void;

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
