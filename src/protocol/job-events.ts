/**
 * Validators of the core's JobEvent union (src/core/bise/events.ts). `Fields<…>` makes each decoder list
 * exactly the event's fields, so a field added to the core fails to compile here until it is validated too.
 */
import { EPOCH_RECORD_FIELDS } from '../core/report/schema';
import type { EarlyStopEvent, EpochEvent, JobEvent, LogEvent, MasksEvent, ProgressEvent, TrainEpochEvent } from '../core/bise/events';
import { Decoder, array, count, finiteNumber, literal, nonNegativeNumber, nullable, object, oneOf, optional, string, tagged, unitInterval } from './decoders';

const progress = object<ProgressEvent>({ type: literal('progress'), phase: string, done: count, total: count, message: optional(string) });

const epoch = object<EpochEvent>({ type: literal('epoch'), ...EPOCH_RECORD_FIELDS, msPerStep: nonNegativeNumber });

const trainEpoch = object<TrainEpochEvent>({
  type: literal('train-epoch'),
  epoch: count,
  lr: nonNegativeNumber,
  loss: finiteNumber,
  trainAccuracy: unitInterval,
  valUnbiasedAccuracy: nullable(unitInterval),
  valAlignedAccuracy: nullable(unitInterval),
  valConflictingAccuracy: nullable(unitInterval),
  seconds: nonNegativeNumber,
  msPerStep: nonNegativeNumber,
});

const masks = object<MasksEvent>({
  type: literal('masks'),
  epoch: count,
  groups: array(object<MasksEvent['groups'][number]>({ group: count, label: string, logits: array(finiteNumber) })),
});

const log = object<LogEvent>({ type: literal('log'), level: oneOf('info', 'warn'), message: string });

const earlyStop = object<EarlyStopEvent>({ type: literal('early-stop'), epoch: count, scheduledEpochs: count, settledUnits: count, skippedSteps: count });

export const jobEventDecoder: Decoder<JobEvent> = tagged<JobEvent, 'type'>('job event', 'type', {
  progress,
  epoch,
  'train-epoch': trainEpoch,
  masks,
  log,
  'early-stop': earlyStop,
});
