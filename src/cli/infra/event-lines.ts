/** One compact human line per epoch summary or log event (the progress bar lives in progress-line.ts). */
import type { EpochEvent, LogEvent, TrainEpochEvent } from '../../core/bise/events';
import { formatPercent, formatValue } from './number-format';

export function formatEpoch(e: EpochEvent): string {
  return [
    `epoch ${e.epoch}`,
    `τ ${formatValue(e.tau)}`,
    `loss ${formatValue(e.loss)}`,
    `CE ${formatValue(e.crossEntropy)}`,
    `MI ${formatValue(e.mutualInformation)}`,
    `val unbiased ${formatPercent(e.valUnbiasedAccuracy)}`,
    `kept ${e.keptUnits}/${e.totalUnits}`,
    `${formatValue(e.msPerStep)} ms/step`,
  ].join('  ');
}

export function formatTrainEpoch(e: TrainEpochEvent): string {
  const breakdown =
    e.valAlignedAccuracy !== null || e.valConflictingAccuracy !== null
      ? ` (aligned ${formatPercent(e.valAlignedAccuracy)}, conflicting ${formatPercent(e.valConflictingAccuracy)})`
      : '';
  return [
    `epoch ${e.epoch}`,
    `lr ${formatValue(e.lr)}`,
    `loss ${formatValue(e.loss)}`,
    `train ${formatPercent(e.trainAccuracy)}`,
    `val unbiased ${formatPercent(e.valUnbiasedAccuracy)}${breakdown}`,
    `${formatValue(e.msPerStep)} ms/step`,
  ].join('  ');
}

export function formatLog(e: LogEvent): string {
  return e.level === 'warn' ? `warning: ${e.message}` : e.message;
}
