/**
 * Command-line flags of `npm run bench:run` (bench/whole-run.ts):
 *
 *   --model PATH        the vanilla ONNX model (default models/biased-mnist-rho0.97-cnn.onnx, the demo CNN)
 *   --rho R             BiasedMNIST training alignment (default 0.97)
 *   --train-size N      training images (default 3000); --val-size (1000), --test-size (2000), --data-seed (0)
 *   --seeds a,b,c       BISE seeds, one run of each side per seed (default 0)
 *   --threads N         intra-op threads of onnxruntime and PyTorch (default: one per core)
 *   --batch-size N      mask-learning batch (default 100)
 *   --tau-period N      epochs between τ steps (default 1)
 *   --aux-epochs N      auxiliary-head epochs before mask learning and after each τ step (default 5)
 *   --tau-steps N       τ values the schedule runs through, 1, ½, ¼, … (default 10)
 *   --mask-init M       initial mask logit (default 0, the authors')
 *   --reweighting W     the PyTorch loop's cross-entropy weights: nominal (the authors', from ρ; default) or group
 *                       (1/(G·p(y,b)) from the training counts, as our engine)
 *   --authors-evals     the PyTorch loop also evaluates train and test sets every epoch, as the authors' script logs
 *   --torch-flags "…"   more flags for the PyTorch loop, e.g. "--head-optimizer reset --ties earlier" or "--as-ours"
 *                       (the switches that make it behave like our engine, bench/torch-bise-loop.py)
 *   --no-torch          only our run
 *   --work DIR          keep the exported data, report folders and the PyTorch loop's JSON (torch-seedN.json) in DIR
 *                       (default: a temporary folder, removed)
 */
import { defaultThreads } from '../../src/core/runtime/session';
import { BuiltinDatasetSpec } from '../../src/core/jobs/builtin-datasets';

export interface WholeRunOptions {
  readonly model: string;
  readonly rho: number;
  readonly dataSeed: number;
  readonly trainSize: number;
  readonly valSize: number;
  readonly testSize: number;
  readonly seeds: readonly number[];
  readonly threads: number;
  readonly batchSize: number;
  readonly tauPeriod: number;
  readonly auxEpochs: number;
  readonly tauSteps: number;
  readonly maskInit: number;
  readonly reweighting: 'nominal' | 'group';
  readonly authorsEvals: boolean;
  /** Extra flags for the PyTorch loop (its switches towards our engine's behaviour). */
  readonly torchFlags: readonly string[];
  readonly torch: boolean;
  readonly work?: string;
}

const VALUE_FLAGS = ['--model', '--rho', '--data-seed', '--train-size', '--val-size', '--test-size', '--seeds', '--threads', '--batch-size', '--tau-period', '--aux-epochs', '--tau-steps', '--mask-init', '--reweighting', '--torch-flags', '--work'];
const SWITCHES = ['--authors-evals', '--no-torch'];

export function parseWholeRunArgs(argv: readonly string[]): WholeRunOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (SWITCHES.includes(flag)) continue;
    if (!VALUE_FLAGS.includes(flag)) throw new Error(`unknown flag ${flag} (known: ${[...VALUE_FLAGS, ...SWITCHES].join(', ')})`);
    const v = argv[++i];
    // --torch-flags carries flags of the PyTorch loop, so its value starts with "--".
    if (v === undefined || (v.startsWith('--') && flag !== '--torch-flags')) throw new Error(`${flag} needs a value`);
    values.set(flag, v);
  }
  const int = (flag: string, fallback: number, min: number): number => {
    const raw = values.get(flag);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  const num = (flag: string, fallback: number, ok: (x: number) => boolean, what: string): number => {
    const raw = values.get(flag);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || !ok(n)) throw new Error(`${flag} must be ${what}, got '${raw}'`);
    return n;
  };
  const seedsText = values.get('--seeds') ?? '0';
  const seeds = seedsText.split(',').map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds must be comma-separated non-negative integers, e.g. 1,2,3; got '${seedsText}'`);
  const reweighting = values.get('--reweighting') ?? 'nominal';
  if (reweighting !== 'nominal' && reweighting !== 'group') throw new Error(`--reweighting must be nominal or group, got '${reweighting}'`);
  return {
    model: values.get('--model') ?? 'models/biased-mnist-rho0.97-cnn.onnx',
    rho: num('--rho', 0.97, (x) => x > 0 && x < 1, 'in (0, 1)'),
    dataSeed: int('--data-seed', 0, 0),
    trainSize: int('--train-size', 3000, 100),
    valSize: int('--val-size', 1000, 10),
    testSize: int('--test-size', 2000, 10),
    seeds,
    threads: int('--threads', defaultThreads(), 1),
    batchSize: int('--batch-size', 100, 1),
    tauPeriod: int('--tau-period', 1, 1),
    auxEpochs: int('--aux-epochs', 5, 0),
    tauSteps: int('--tau-steps', 10, 1),
    maskInit: num('--mask-init', 0, () => true, 'a number'),
    reweighting,
    authorsEvals: argv.includes('--authors-evals'),
    torchFlags: (values.get('--torch-flags') ?? '').split(/\s+/).filter((f) => f !== ''),
    torch: !argv.includes('--no-torch'),
    work: values.get('--work'),
  };
}

/** τ starts at 1 and halves; τ_min sits halfway (in log) between the last τ run and the next, so that our `τ < τ_min`
 * stop and the authors' `τ ≤ τ_min` stop both run exactly `steps` τ values. */
export const TAU_INITIAL = 1;
export const TAU_FACTOR = 0.5;
export function tauMinFor(steps: number): number {
  return TAU_INITIAL * TAU_FACTOR ** (steps - 0.5);
}

/** Flags both sides share, in `bise extract` spelling (the PyTorch loop takes the same names). */
export function scheduleFlags(o: WholeRunOptions, seed: number): string[] {
  return [
    '--seed', String(seed),
    '--threads', String(o.threads),
    '--batch-size', String(o.batchSize),
    '--tau', String(TAU_INITIAL),
    '--tau-factor', String(TAU_FACTOR),
    '--tau-period', String(o.tauPeriod),
    '--tau-min', String(tauMinFor(o.tauSteps)),
    '--aux-epochs', String(o.auxEpochs),
    '--mask-init', String(o.maskInit),
  ];
}

/**
 * Flags only `bise extract` takes: the authors' loop has no collapse check, so ours runs the same schedule whatever
 * the first epoch gives.
 */
export const OURS_ONLY_FLAGS: readonly string[] = ['--on-collapse', 'continue'];

/** The data flags of `bise extract` for the BiasedMNIST split both sides use. */
export function dataFlags(o: WholeRunOptions): string[] {
  return ['--rho', String(o.rho), '--data-seed', String(o.dataSeed), '--train-size', String(o.trainSize), '--val-size', String(o.valSize), '--test-size', String(o.testSize)];
}

/** The BiasedMNIST split both sides use, as the job's dataset spec (the same flags `dataFlags` gives the CLI). */
export function biasedMnistSpec(o: WholeRunOptions): BuiltinDatasetSpec {
  return { kind: 'biased-mnist', rho: o.rho, seed: o.dataSeed, trainSize: o.trainSize, valSize: o.valSize, testSize: o.testSize };
}
