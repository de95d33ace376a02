/**
 * Host ↔ webview (the BISE panel). The webview posts `ready` once its script runs; only then does the host
 * send its first message (the set-up form or a report). Everything the webview sends is untrusted (the page
 * could be confused by a hostile report or a bug) and is validated by the host; the webview validates the
 * host's messages as well, so a mismatched host and bundle fail loudly instead of rendering half a panel.
 *
 *   webview → host: ready | run | cancel | export-report | open-markdown | pick-tokenizer
 *   host → webview: setup | model-summary | tokenizers | form-errors | run-started | job-event | run-ended | report
 */
import type { JobEvent } from '../core/bise/events';
import { Decoder, array, boolean, count, literal, nullable, object, oneOf, optional, string, tagged } from './decoders';
import { CsvColumnChoice, ExecutionProvider, PROVIDERS, TextColumnChoice, csvColumnChoiceDecoder, textColumnChoiceDecoder } from './jobs';
import { jobEventDecoder } from './job-events';

/**
 * The set-up form as the user typed it: numbers stay strings, so the host can name a bad entry exactly
 * ("ρ: expected a number between 0 and 1, got '0,99'"). Saved as `<model>.bise.json` next to the model.
 */
export interface FormValues {
  /** Id of one of SetupView.datasets. */
  readonly dataset: string;
  readonly rho: string;
  readonly rhoLeft: string;
  readonly rhoRight: string;
  readonly dataSeed: string;
  readonly trainSize: string;
  readonly valSize: string;
  readonly testSize: string;
  /** Where the training bias labels come from: 'given' (the dataset's) or 'identify' (see BiasSource). */
  readonly biasFrom: string;
  /** Fraction of training bias labels to flip, in [0, 1). */
  readonly biasNoise: string;
  readonly seed: string;
  readonly batchSize: string;
  readonly maskLr: string;
  readonly maskInit: string;
  readonly gamma: string;
  readonly auxEpochs: string;
  readonly tauPeriod: string;
  readonly maxEpochs: string;
  readonly selection: string;
  readonly probe: boolean;
  readonly probeEpochs: string;
  readonly randomSeeds: string;
  readonly provider: string;
  /** '' = one per core. */
  readonly threads: string;
  /** '' = detected (the classifier's input). */
  readonly bottleneck: string;
  /** An image CSV's columns for the image path, target and bias (absent: the dataset's suggestion). */
  readonly csvColumns?: CsvColumnChoice;
  /** A text dataset's columns for the text, target and bias (absent: the dataset's suggestion). */
  readonly textColumns?: TextColumnChoice;
  /** Id of one of SetupView.tokenizers ('' or absent: tokenizer.json next to the model). */
  readonly tokenizer?: string;
  /** Most tokens per text ('' or absent: tokenizer_config.json's model_max_length). */
  readonly maxLength?: string;
  /** Which units get gates: 'mlp', 'heads' or 'both' (absent: 'mlp'). */
  readonly units?: string;
}

/** The text model's fields, kept out of FORM_FIELDS because a choice saved before them lacks them. */
export const TEXT_FORM_FIELDS = ['tokenizer', 'maxLength', 'units'] as const satisfies readonly (keyof FormValues)[];
export type TextFormField = (typeof TEXT_FORM_FIELDS)[number];

export const FORM_FIELDS = [
  'dataset',
  'rho',
  'rhoLeft',
  'rhoRight',
  'dataSeed',
  'trainSize',
  'valSize',
  'testSize',
  'biasFrom',
  'biasNoise',
  'seed',
  'batchSize',
  'maskLr',
  'maskInit',
  'gamma',
  'auxEpochs',
  'tauPeriod',
  'maxEpochs',
  'selection',
  'probe',
  'probeEpochs',
  'randomSeeds',
  'provider',
  'threads',
  'bottleneck',
] as const satisfies readonly (keyof FormValues)[];

export type FormField = (typeof FORM_FIELDS)[number];

/** What a FieldError can point at: a form field, a text model's field, the CSV or text column choice, or the whole form. */
export type ErrorTarget = FormField | TextFormField | 'csvColumns' | 'textColumns' | 'form';

/** A dataset the form offers: the built-in ones and those found in the workspace. */
export interface DatasetOption {
  readonly id: string;
  readonly kind: 'biased-mnist' | 'multi-color-mnist' | 'corrupted-fashion-mnist' | 'npy-folder' | 'image-csv' | 'image-attributes' | 'text-file' | 'token-npy-folder';
  readonly label: string;
  /** Where it is (workspace-relative) or how it is made. */
  readonly detail: string;
  /** False when this build cannot run on it yet; `reason` says why. */
  readonly supported: boolean;
  readonly reason: string | null;
  /** An image CSV's header (bounded read by the host) and the columns suggested by their names. */
  readonly csv?: { readonly columns: readonly string[]; readonly suggested: CsvColumnChoice };
  /** A text file's columns (CSV header or JSON Lines keys, bounded read by the host) and those suggested. */
  readonly text?: { readonly columns: readonly string[]; readonly suggested: TextColumnChoice };
}

/** Whether a dataset holds texts (for a model that takes token ids) rather than images. */
export function isTextDatasetKind(kind: DatasetOption['kind']): boolean {
  return kind === 'text-file' || kind === 'token-npy-folder';
}

/** A tokenizer the form offers for a text model: the one next to the model (id ''), or one the user picked. */
export interface TokenizerOption {
  readonly id: string;
  readonly label: string;
  /** Its path, as shown. */
  readonly detail: string;
  /** False when the file is not there (the form says so; a run would fail). */
  readonly found: boolean;
}

/** What the engine sees in the model (from describeModel), for the form's header. */
export interface ModelSummary {
  readonly inputShape: string;
  readonly parameters: number;
  readonly classifier: string;
  readonly bottleneck: string;
  readonly groups: readonly { readonly id: number; readonly label: string; readonly units: number }[];
  /** The integer inputs of a model that takes token ids (input_ids, attention_mask, …); absent for an image model. */
  readonly tokenInputs?: readonly string[];
  /** The attention blocks whose heads can be gated (`--units heads|both`); absent or empty when there are none. */
  readonly attention?: readonly { readonly label: string; readonly heads: number }[];
}

export interface SetupView {
  readonly modelPath: string;
  readonly modelName: string;
  /** Null with a null modelError while the worker reads the model (a `model-summary` message follows). */
  readonly model: ModelSummary | null;
  /** Why the model could not be read; null when `model` is set or still being read. */
  readonly modelError: string | null;
  readonly datasets: readonly DatasetOption[];
  readonly providers: readonly ExecutionProvider[];
  readonly form: FormValues;
  /** The `<model>.bise.json` the form was loaded from, or null for defaults. */
  readonly savedChoice: string | null;
  /** A run of this model is in progress (in this panel or another). */
  readonly busy: boolean;
  /** False in a restricted (untrusted) workspace: the form is read-only and says why. */
  readonly trusted: boolean;
  /** The tokenizers a text model can read its texts with (absent: only the one next to the model). */
  readonly tokenizers?: readonly TokenizerOption[];
}

export interface FieldError {
  /** The form field, 'csvColumns' for the CSV column choice, or 'form' for a problem with the whole form. */
  readonly field: ErrorTarget;
  readonly message: string;
}

/** What the panel remembers across reloads (webview getState/setState and the panel serializer). */
export type PanelState = { readonly view: 'setup'; readonly modelPath: string } | { readonly view: 'report'; readonly reportPath: string };

// ---- webview → host ----

/** webview → host: the script is running; send the first message. */
export interface WebviewReady {
  readonly type: 'ready';
}

/** webview → host: start a run with these form values (the host validates them and answers form-errors or run-started). */
export interface WebviewRun {
  readonly type: 'run';
  readonly form: FormValues;
}

/** webview → host: cancel the running job. */
export interface WebviewCancel {
  readonly type: 'cancel';
}

/** webview → host: copy the shown report into the workspace (bise.reportsFolder) and open its report.md. */
export interface WebviewExportReport {
  readonly type: 'export-report';
}

/** webview → host: open the shown report's report.md in the Markdown preview. */
export interface WebviewOpenMarkdown {
  readonly type: 'open-markdown';
}

/** webview → host: let the user pick a tokenizer.json in a file dialog (the host answers `tokenizers`). */
export interface WebviewPickTokenizer {
  readonly type: 'pick-tokenizer';
}

export type WebviewToHost = WebviewReady | WebviewRun | WebviewCancel | WebviewExportReport | WebviewOpenMarkdown | WebviewPickTokenizer;

// ---- host → webview ----

/** host → webview: show the set-up form of a model. */
export interface HostSetup {
  readonly type: 'setup';
  readonly setup: SetupView;
}

/** host → webview: what the worker read from the model of the form (`setup` came first with both null). */
export interface HostModelSummary {
  readonly type: 'model-summary';
  readonly modelPath: string;
  readonly model: ModelSummary | null;
  /** Why the model could not be read; null when `model` is set. */
  readonly error: string | null;
}

/** host → webview: the tokenizers offered changed (the user picked one); `selected` is the id to show chosen. */
export interface HostTokenizers {
  readonly type: 'tokenizers';
  readonly modelPath: string;
  readonly tokenizers: readonly TokenizerOption[];
  readonly selected: string;
}

/** host → webview: the form was refused; show these messages next to their fields. */
export interface HostFormErrors {
  readonly type: 'form-errors';
  readonly errors: readonly FieldError[];
}

/** host → webview: a run started; clear the live views. */
export interface HostRunStarted {
  readonly type: 'run-started';
  readonly title: string;
  /** Upper bound of mask-learning epochs (maxEpochs), for the progress bar. */
  readonly maxEpochs: number | null;
}

/** host → webview: one event of the running job. */
export interface HostJobEvent {
  readonly type: 'job-event';
  readonly event: JobEvent;
}

/** host → webview: the run ended; a `report` message follows a successful one. */
export interface HostRunEnded {
  readonly type: 'run-ended';
  readonly outcome: 'done' | 'cancelled' | 'failed';
  readonly message: string;
  /** The worker's last log lines (failed runs). */
  readonly log: readonly string[];
}

/** host → webview: show a report; `json` is the report.json text, validated by the webview with parseReport. */
export interface HostReport {
  readonly type: 'report';
  readonly json: string;
  /** The report folder (absolute), shown to the user. */
  readonly folder: string;
  /** Where it was exported in the workspace, if it was. */
  readonly exportedTo: string | null;
}

export type HostToWebview = HostSetup | HostModelSummary | HostTokenizers | HostFormErrors | HostRunStarted | HostJobEvent | HostRunEnded | HostReport;

// ---- validators ----

export const formValuesDecoder: Decoder<FormValues> = object<FormValues>({
  dataset: string,
  rho: string,
  rhoLeft: string,
  rhoRight: string,
  dataSeed: string,
  trainSize: string,
  valSize: string,
  testSize: string,
  biasFrom: string,
  biasNoise: string,
  seed: string,
  batchSize: string,
  maskLr: string,
  maskInit: string,
  gamma: string,
  auxEpochs: string,
  tauPeriod: string,
  maxEpochs: string,
  selection: string,
  probe: boolean,
  probeEpochs: string,
  randomSeeds: string,
  provider: string,
  threads: string,
  bottleneck: string,
  csvColumns: optional(csvColumnChoiceDecoder),
  textColumns: optional(textColumnChoiceDecoder),
  tokenizer: optional(string),
  maxLength: optional(string),
  units: optional(string),
});

export const webviewToHostDecoder: Decoder<WebviewToHost> = tagged<WebviewToHost, 'type'>('webview message', 'type', {
  ready: object<WebviewReady>({ type: literal('ready') }),
  run: object<WebviewRun>({ type: literal('run'), form: formValuesDecoder }),
  cancel: object<WebviewCancel>({ type: literal('cancel') }),
  'export-report': object<WebviewExportReport>({ type: literal('export-report') }),
  'open-markdown': object<WebviewOpenMarkdown>({ type: literal('open-markdown') }),
  'pick-tokenizer': object<WebviewPickTokenizer>({ type: literal('pick-tokenizer') }),
});

const datasetOption = object<DatasetOption>({
  id: string,
  kind: oneOf('biased-mnist', 'multi-color-mnist', 'corrupted-fashion-mnist', 'npy-folder', 'image-csv', 'image-attributes', 'text-file', 'token-npy-folder'),
  label: string,
  detail: string,
  supported: boolean,
  reason: nullable(string),
  csv: optional(object<NonNullable<DatasetOption['csv']>>({ columns: array(string), suggested: csvColumnChoiceDecoder })),
  text: optional(object<NonNullable<DatasetOption['text']>>({ columns: array(string), suggested: textColumnChoiceDecoder })),
});

const tokenizerOption = object<TokenizerOption>({ id: string, label: string, detail: string, found: boolean });

export const modelSummaryDecoder: Decoder<ModelSummary> = object<ModelSummary>({
  inputShape: string,
  parameters: count,
  classifier: string,
  bottleneck: string,
  groups: array(object<ModelSummary['groups'][number]>({ id: count, label: string, units: count })),
  tokenInputs: optional(array(string)),
  attention: optional(array(object<NonNullable<ModelSummary['attention']>[number]>({ label: string, heads: count }))),
});

const setupView = object<SetupView>({
  modelPath: string,
  modelName: string,
  model: nullable(modelSummaryDecoder),
  modelError: nullable(string),
  datasets: array(datasetOption),
  providers: array(oneOf<ExecutionProvider>(...PROVIDERS)),
  form: formValuesDecoder,
  savedChoice: nullable(string),
  busy: boolean,
  trusted: boolean,
  tokenizers: optional(array(tokenizerOption)),
});

const fieldError = object<FieldError>({ field: oneOf<ErrorTarget>(...FORM_FIELDS, ...TEXT_FORM_FIELDS, 'csvColumns', 'textColumns', 'form'), message: string });

export const hostToWebviewDecoder: Decoder<HostToWebview> = tagged<HostToWebview, 'type'>('host message', 'type', {
  setup: object<HostSetup>({ type: literal('setup'), setup: setupView }),
  'model-summary': object<HostModelSummary>({ type: literal('model-summary'), modelPath: string, model: nullable(modelSummaryDecoder), error: nullable(string) }),
  tokenizers: object<HostTokenizers>({ type: literal('tokenizers'), modelPath: string, tokenizers: array(tokenizerOption), selected: string }),
  'form-errors': object<HostFormErrors>({ type: literal('form-errors'), errors: array(fieldError) }),
  'run-started': object<HostRunStarted>({ type: literal('run-started'), title: string, maxEpochs: nullable(count) }),
  'job-event': object<HostJobEvent>({ type: literal('job-event'), event: jobEventDecoder }),
  'run-ended': object<HostRunEnded>({ type: literal('run-ended'), outcome: oneOf('done', 'cancelled', 'failed'), message: string, log: array(string) }),
  report: object<HostReport>({ type: literal('report'), json: string, folder: string, exportedTo: nullable(string) }),
});

export const panelStateDecoder: Decoder<PanelState> = tagged<PanelState, 'view'>('panel state', 'view', {
  setup: object<Extract<PanelState, { view: 'setup' }>>({ view: literal('setup'), modelPath: string }),
  report: object<Extract<PanelState, { view: 'report' }>>({ view: literal('report'), reportPath: string }),
});
