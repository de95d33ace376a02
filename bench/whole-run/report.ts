/** The bench's tables: one run of each side (per seed) side by side, our breakdown, PyTorch's phases, accuracies. */
import { formatTable, ms } from '../scale/table';
import { median } from '../scale/stats';
import { OursTimeline } from './timeline';
import { StepPieceTimes } from './step-pieces';
import { OursRun, TorchRun } from './run-sides';

export interface SeedResult {
  readonly seed: number;
  readonly ours: OursRun;
  readonly timeline: OursTimeline;
  readonly torch: TorchRun | string;
}

const s = (millis: number): string => (millis / 1000).toFixed(1);
const pct = (f: number): string => `${(100 * f).toFixed(1)}%`;
const times = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const kept = (r: OursRun): number => r.report.masks.reduce((n, m) => n + m.keep.filter(Boolean).length, 0);
const units = (r: OursRun): number => r.report.masks.reduce((n, m) => n + m.keep.length, 0);

/** What our step is made of, in ms over the whole run; the pieces are timed apart (step-pieces.ts). */
export function oursBreakdownRows(t: OursTimeline, pieces: StepPieceTimes): [string, number][] {
  const lossMi = pieces.lossAndMiMs * t.steps;
  const headSteps = pieces.auxHeadStepMs * t.steps;
  const maskUpdate = pieces.maskUpdateMs * t.steps;
  const gather = pieces.batchGatherMs * t.steps;
  const stepLoop = t.stepIntervalsMs.reduce((a, b) => a + b, 0);
  const rows: [string, number][] = [
    ['start-up (node, modules, model parse)', t.startupMs],
    ['model check (preflight)', t.preflightMs],
    ['data and sessions (dataset, graphs)', t.setupMs],
    ['step graph (onnxruntime forward + backward, feeds)', t.engineStepMs - lossMi - headSteps - maskUpdate],
    ['loss and MI (TypeScript, timed apart)', lossMi],
    ['auxiliary head, in-step SGD (timed apart)', headSteps],
    [`auxiliary head, pretraining + ${t.auxHeadRuns - 1} refits`, t.auxHeadMs],
    ['mask update (gates, SGD; timed apart)', maskUpdate],
    ['data: batch gather (timed apart)', gather],
    ['respecialising the step graph to pruned units (rest of the step loop)', stepLoop - t.engineStepMs - gather],
    ['evaluation: validation after each epoch', t.validationMs],
    ['evaluation: test set, vanilla + subnetwork', t.testEvalMs],
    ['evaluation: random and magnitude baselines', t.baselinesMs],
    ['probe (latent bias, vanilla + subnetwork)', t.probeMs],
    ['export (prune, verify, hash, report folder)', t.exportMs],
  ];
  const named = rows.reduce((a, [, v]) => a + v, 0);
  return [...rows, ['other (between events)', t.totalMs - named]];
}

const TORCH_PHASES: [string, string][] = [
  ['import', 'start-up (python, import torch)'],
  ['load', 'data and model (.npy, ONNX weights)'],
  ['steps', 'mask steps (forward, loss, MI, backward, both SGD steps)'],
  ['data', 'data (batch indexing)'],
  ['pretrain_head', 'auxiliary head, pretraining (forward pass per epoch)'],
  ['refits', 'auxiliary head, refits after each τ step'],
  ['val_eval', 'evaluation: validation after each epoch'],
  ['authors_evals', "evaluation: the authors' train/test logging"],
  ['test_eval', 'evaluation: test set, vanilla + subnetwork'],
];

export function torchBreakdownRows(r: TorchRun): [string, number][] {
  const rows = TORCH_PHASES.filter(([k]) => r.phasesS[k] !== undefined).map(([k, label]): [string, number] => [label, r.phasesS[k] * 1000]);
  const named = rows.reduce((a, [, v]) => a + v, 0);
  return [...rows, ['other (interpreter start, exit)', r.wallMs - named]];
}

/** The mask-learning part alone on the PyTorch side: pretraining, steps, data, validation, refits. */
export function torchMaskLearningMs(r: TorchRun): number {
  return ['pretrain_head', 'steps', 'data', 'val_eval', 'refits', 'authors_evals'].reduce((a, k) => a + (r.phasesS[k] ?? 0) * 1000, 0);
}

export function formatWholeRun(results: readonly SeedResult[], pieces: StepPieceTimes): string {
  const out: string[] = [];
  for (const r of results) {
    const t = r.timeline;
    const torch = typeof r.torch === 'string' ? undefined : r.torch;
    const oursMedian = median(t.stepIntervalsMs);
    const oursEngineStep = t.engineStepMs / Math.max(1, t.steps);
    const row = (label: string, ours: number, theirs: number | undefined, fmt: (v: number) => string): string[] => [label, fmt(ours), theirs === undefined ? '–' : fmt(theirs), theirs === undefined ? '–' : times(ours, theirs)];
    out.push(`### seed ${r.seed}`);
    out.push(
      formatTable(['', 'ours (bise extract)', "PyTorch (authors' loop)", 'ours / PyTorch'], [
        row('wall time, whole run, s', r.ours.wallMs, torch?.wallMs, s),
        row('mask learning (head pretraining → last epoch), s', t.maskLearningMs, torch && torchMaskLearningMs(torch), s),
        row('ms per step, median, as waited (data + step)', oursMedian, torch?.medianIterationMs, ms),
        row('ms per step, mean, step alone', oursEngineStep, torch && (torch.phasesS.steps * 1000) / torch.steps, ms),
        ['steps / epochs / head trainings', `${t.steps} / ${r.ours.report.history.length} / ${t.auxHeadRuns}`, torch ? `${torch.steps} / ${torch.epochs} / ${1 + torch.refits}` : '–', ''],
        ['selected epoch', String(r.ours.report.selection.epoch), torch ? String(torch.selectedEpoch) : '–', ''],
        ['units kept', `${kept(r.ours)} / ${units(r.ours)}`, torch ? `${torch.keptUnits} / ${torch.totalUnits}` : '–', ''],
        ['unbiased test accuracy, subnetwork', pct(r.ours.report.metrics.subnetwork.unbiasedAccuracy), torch ? pct(torch.test.unbiased) : '–', ''],
        ['  bias-aligned / bias-conflicting', `${pct(r.ours.report.metrics.subnetwork.alignedAccuracy)} / ${pct(r.ours.report.metrics.subnetwork.conflictingAccuracy)}`, torch ? `${pct(torch.test.aligned)} / ${pct(torch.test.conflicting)}` : '–', ''],
        ['unbiased test accuracy, vanilla', pct(r.ours.report.metrics.vanilla.unbiasedAccuracy), torch ? pct(torch.vanillaTest.unbiased) : '–', ''],
      ]),
    );
    if (typeof r.torch === 'string') out.push(`PyTorch: ${r.torch}`);
    out.push('');
    const ourRows = oursBreakdownRows(t, pieces);
    out.push(formatTable(['ours: where the time went', 's', 'share'], ourRows.map(([k, v]) => [k, s(v), pct(v / t.totalMs)])));
    if (torch) {
      out.push('');
      out.push(formatTable(['PyTorch: where the time went', 's', 'share'], torchBreakdownRows(torch).map(([k, v]) => [k, s(v), pct(v / torch.wallMs)])));
    }
    out.push('');
  }
  if (results.length > 1) {
    const acc = (r: SeedResult): [number, number | undefined] => [r.ours.report.metrics.subnetwork.unbiasedAccuracy, typeof r.torch === 'string' ? undefined : r.torch.test.unbiased];
    const rows = results.map((r) => {
      const [o, p] = acc(r);
      return [`seed ${r.seed}`, pct(o), p === undefined ? '–' : pct(p), s(r.ours.wallMs), typeof r.torch === 'string' ? '–' : s(r.torch.wallMs)];
    });
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const theirs = results.map((r) => acc(r)[1]).filter((v): v is number => v !== undefined);
    const theirWalls = results.flatMap((r) => (typeof r.torch === 'string' ? [] : [r.torch.wallMs]));
    rows.push(['mean', pct(mean(results.map((r) => acc(r)[0]))), theirs.length ? pct(mean(theirs)) : '–', s(mean(results.map((r) => r.ours.wallMs))), theirWalls.length ? s(mean(theirWalls)) : '–']);
    out.push(formatTable(['seed', 'ours: unbiased test', 'PyTorch: unbiased test', 'ours: wall s', 'PyTorch: wall s'], rows));
  }
  return out.join('\n');
}
