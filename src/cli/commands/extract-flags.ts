/** The BISE hyperparameters as flags (defaults: the authors'), shared by `extract` and `demo`. */
import type { FlagSpec } from '../infra/flag-spec';
import { DEFAULT_EXTRACT_CONFIG as D, ExtractConfig, MiSamples, OnCollapse, Reweighting, Selection } from '../../core/bise/config';

export const EXTRACT_FLAGS = [
  { name: 'seed', type: 'integer', default: D.seed, help: 'seed of batch order and auxiliary-head initialisation' },
  { name: 'batch-size', type: 'integer', default: D.batchSize, min: 1, help: 'mask-learning batch size' },
  { name: 'mask-lr', type: 'number', default: D.maskLr, min: 0, help: 'SGD learning rate of the mask logits' },
  { name: 'mask-momentum', type: 'number', default: D.maskMomentum, min: 0, max: 1, help: 'SGD momentum of the mask logits' },
  { name: 'mask-weight-decay', type: 'number', default: D.maskWeightDecay, min: 0, help: 'weight decay of the mask logits' },
  { name: 'mask-init', type: 'number', default: D.maskInit, help: 'initial mask logit of every unit (0 = on the keep threshold, as the authors)' },
  { name: 'aux-lr', type: 'number', default: D.auxLr, min: 0, help: 'SGD learning rate of the auxiliary head(s)' },
  { name: 'aux-epochs', type: 'integer', default: D.auxEpochs, min: 0, help: 'auxiliary-head epochs before mask learning and after each τ step' },
  { name: 'gamma', type: 'number', default: D.gamma, min: 0, help: 'weight γ of the mutual-information term (0 = ablation)' },
  { name: 'alpha', type: 'number', default: D.alpha, min: 0, help: 'weight α of the reweighted cross-entropy' },
  { name: 'tau', type: 'number', default: D.tauInitial, min: 0, help: 'initial temperature τ' },
  { name: 'tau-factor', type: 'number', default: D.tauFactor, min: 0, max: 1, help: 'τ is multiplied by this every --tau-period epochs' },
  { name: 'tau-period', type: 'integer', default: D.tauPeriod, min: 1, help: 'epochs between τ steps' },
  { name: 'tau-min', type: 'number', default: D.tauMin, min: 0, help: 'stop once τ falls below this' },
  { name: 'max-epochs', type: 'integer', default: D.maxEpochs, min: 1, help: 'hard cap on mask-learning epochs' },
  { name: 'mi-samples', type: 'enum', choices: ['conflicting', 'all'], default: D.miSamples, help: 'samples the MI term is computed on' },
  { name: 'reweighting', type: 'enum', choices: ['group', 'none'], default: D.reweighting, help: "cross-entropy weights: 'group' = 1/(G·p(y,b))" },
  { name: 'selection', type: 'enum', choices: ['best-val-unbiased', 'last'], default: D.selection, help: 'which epoch’s mask is kept' },
  { name: 'on-collapse', type: 'enum', choices: ['restart', 'stop', 'continue'], default: D.onCollapse, help: 'when the first epoch leaves the subnetwork at chance on the validation set: restart once with a safer --mask-init (0.1, or twice yours), stop, or carry on' },
  { name: 'early-stop', type: 'boolean', default: D.earlyStop, help: 'stop mask learning once no unit can change its gate for the rest of the schedule (same masks as the full schedule, proven per unit)' },
  { name: 'bias-from', type: 'enum', choices: ['given', 'identify'], default: 'given', help: "training bias labels: the dataset's, or 'identify' = predictions of a vanilla model trained for 1 epoch (no bias labels needed)" },
  { name: 'bias-noise', type: 'number', default: 0, min: 0, max: 1, help: 'fraction of training bias labels flipped to another value (robustness check)' },
  { name: 'random-seeds', type: 'integer', default: 5, min: 0, help: 'seeds of the random-pruning baseline' },
  { name: 'probe', type: 'boolean', default: true, help: 'run the latent bias probe (vanilla vs subnetwork)' },
  { name: 'probe-epochs', type: 'integer', default: 30, min: 1, help: 'training epochs of the probes' },
  { name: 'bottleneck', type: 'string', help: 'tensor name of the bottleneck z (default: the classifier’s input, detected)' },
  { name: 'out', type: 'path', help: 'report folder (default: <model folder>/<model name>.bise)' },
  { name: 'overwrite', type: 'boolean', help: 'replace an existing report folder' },
] as const satisfies readonly FlagSpec[];

export interface ExtractFlagValues {
  readonly seed: number;
  readonly batchSize: number;
  readonly maskLr: number;
  readonly maskMomentum: number;
  readonly maskWeightDecay: number;
  readonly maskInit: number;
  readonly auxLr: number;
  readonly auxEpochs: number;
  readonly gamma: number;
  readonly alpha: number;
  readonly tau: number;
  readonly tauFactor: number;
  readonly tauPeriod: number;
  readonly tauMin: number;
  readonly maxEpochs: number;
  readonly miSamples: MiSamples;
  readonly reweighting: Reweighting;
  readonly selection: Selection;
  readonly onCollapse: OnCollapse;
  readonly earlyStop: boolean;
}

export function extractConfig(f: ExtractFlagValues): ExtractConfig {
  return {
    ...D,
    seed: f.seed,
    batchSize: f.batchSize,
    maskLr: f.maskLr,
    maskMomentum: f.maskMomentum,
    maskWeightDecay: f.maskWeightDecay,
    maskInit: f.maskInit,
    auxLr: f.auxLr,
    auxEpochs: f.auxEpochs,
    gamma: f.gamma,
    alpha: f.alpha,
    tauInitial: f.tau,
    tauFactor: f.tauFactor,
    tauPeriod: f.tauPeriod,
    tauMin: f.tauMin,
    maxEpochs: f.maxEpochs,
    miSamples: f.miSamples,
    reweighting: f.reweighting,
    selection: f.selection,
    onCollapse: f.onCollapse,
    earlyStop: f.earlyStop,
  };
}
