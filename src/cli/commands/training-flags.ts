/** The optimiser flags `train` and `finetune` share, with per-command defaults, and their TrainConfig. */
import { DEFAULT_TRAIN_CONFIG as D, TrainConfig } from '../../core/bise/train';

export function trainingFlags(defaults: { epochs: number; lr: number; lrHelp: string; schedule: 'constant' | 'cosine' }) {
  return [
    { name: 'epochs', type: 'integer', default: defaults.epochs, min: 1, help: 'training epochs' },
    { name: 'batch-size', type: 'integer', default: D.batchSize, min: 1, help: 'batch size' },
    { name: 'optimizer', type: 'enum', choices: ['sgd', 'adam', 'adamw'], default: D.optimizer, help: 'optimizer (adam: weight decay added to the gradient, as torch.optim.Adam; adamw: decoupled, as torch.optim.AdamW)' },
    { name: 'lr', type: 'number', default: defaults.lr, min: 0, help: defaults.lrHelp },
    { name: 'momentum', type: 'number', default: D.momentum, min: 0, max: 1, help: 'SGD momentum' },
    { name: 'weight-decay', type: 'number', default: D.weightDecay, min: 0, help: 'weight decay' },
    { name: 'schedule', type: 'enum', choices: ['constant', 'cosine'], default: defaults.schedule, help: 'learning-rate schedule' },
    {
      name: 'batch-norm',
      type: 'enum',
      choices: ['batch', 'frozen'],
      default: D.batchNorm,
      help: "BatchNormalization layers: 'batch' = normalise with each batch's statistics and update the running ones (PyTorch's train mode); 'frozen' = keep the model's running statistics",
    },
    { name: 'seed', type: 'integer', default: D.seed, help: 'seed of initialisation and batch order' },
    { name: 'overwrite', type: 'boolean', help: 'replace --out if it exists' },
  ] as const;
}

/** Every TrainConfig field but the loss choice, which each command sets itself. */
export type TrainingFlagValues = Omit<TrainConfig, 'reweighted'>;

export function trainConfig(f: TrainingFlagValues, reweighted: boolean): TrainConfig {
  return { seed: f.seed, epochs: f.epochs, batchSize: f.batchSize, optimizer: f.optimizer, lr: f.lr, momentum: f.momentum, weightDecay: f.weightDecay, schedule: f.schedule, reweighted, batchNorm: f.batchNorm };
}
