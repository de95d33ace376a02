/** BISE hyperparameters; defaults are the authors' (../shared/docs/BISE.md). */

export type MiSamples = 'conflicting' | 'all';
export type Reweighting = 'group' | 'none';
export type Selection = 'best-val-unbiased' | 'last';
/** What a run does when its first epoch collapsed to chance (collapse.ts): restart once with a safer initial mask logit, stop, or carry on. */
export type OnCollapse = 'restart' | 'stop' | 'continue';

export interface ExtractConfig {
  readonly seed: number;
  readonly batchSize: number;
  readonly maskLr: number;
  readonly maskMomentum: number;
  readonly maskWeightDecay: number;
  /** Initial mask logit of every unit (the authors' MaskLayer init_m_i; 0 keeps every unit, on the threshold). */
  readonly maskInit: number;
  readonly auxLr: number;
  readonly auxMomentum: number;
  readonly auxWeightDecay: number;
  /** Epochs of auxiliary-head training before mask learning and after every τ step. */
  readonly auxEpochs: number;
  readonly alpha: number;
  readonly gamma: number;
  readonly tauInitial: number;
  readonly tauFactor: number;
  /** τ is multiplied by tauFactor every tauPeriod epochs. */
  readonly tauPeriod: number;
  /** Stop once τ would fall below this. */
  readonly tauMin: number;
  readonly maxEpochs: number;
  /** Samples the MI term is computed on. */
  readonly miSamples: MiSamples;
  /** 'group': weight 1/(G·p(y,b)) per (y, b) group of the training set (product over biases). */
  readonly reweighting: Reweighting;
  readonly selection: Selection;
  /** Rebuild the pruned-unit specialisation when this fraction of all units newly settled pruned (specialisation-policy.ts). */
  readonly respecializeFraction: number;
  readonly onCollapse: OnCollapse;
  /** Stop mask learning once no unit can change its gate for the rest of the schedule (early-stop.ts); same masks. */
  readonly earlyStop: boolean;
}

export const DEFAULT_EXTRACT_CONFIG: ExtractConfig = {
  seed: 0,
  batchSize: 100,
  maskLr: 1e-2,
  maskMomentum: 0.9,
  maskWeightDecay: 1e-4,
  maskInit: 0,
  auxLr: 0.1,
  auxMomentum: 0.9,
  auxWeightDecay: 1e-4,
  auxEpochs: 50,
  alpha: 1,
  gamma: 1,
  tauInitial: 1,
  tauFactor: 0.5,
  tauPeriod: 10,
  tauMin: 1e-3,
  maxEpochs: 200,
  miSamples: 'conflicting',
  reweighting: 'group',
  selection: 'best-val-unbiased',
  respecializeFraction: 0.05,
  onCollapse: 'restart',
  earlyStop: true,
};

/** τ for a given epoch, or undefined once the schedule is over. */
export function tauAt(config: ExtractConfig, epoch: number): number | undefined {
  if (epoch >= config.maxEpochs) return undefined;
  const tau = config.tauInitial * config.tauFactor ** Math.floor(epoch / config.tauPeriod);
  return tau < config.tauMin ? undefined : tau;
}

export function checkExtractConfig(c: ExtractConfig): ExtractConfig {
  const positive: (keyof ExtractConfig)[] = ['batchSize', 'maskLr', 'auxLr', 'tauInitial', 'tauPeriod', 'tauMin', 'maxEpochs'];
  for (const k of positive) if (!(Number(c[k]) > 0)) throw new Error(`config '${k}' must be positive, got ${c[k]}`);
  if (!(c.tauFactor > 0 && c.tauFactor < 1)) throw new Error(`config 'tauFactor' must be in (0, 1), got ${c.tauFactor}`);
  if (!Number.isInteger(c.batchSize)) throw new Error(`config 'batchSize' must be an integer, got ${c.batchSize}`);
  if (c.gamma < 0 || c.alpha < 0) throw new Error('config alpha and gamma must not be negative');
  return c;
}
